import { App } from 'cdk8s';
import { dbCluster } from './db-cluster/main';
import { jaegerKafka } from './jaeger-kafka/main';
import { lokiAws } from './loki-aws/main';
import { lokiMigration } from './loki-migration/main';
import { lokiModes } from './loki-modes/main';
import { lokiMultitenant } from './loki-multitenant/main';
import { lokiStandalone } from './loki-standalone/main';
import { defaultPlatform } from './platform/main';
import { platformDev } from './platform-dev/main';
import { platformAws } from './platform-aws/main';
import { platformTls } from './platform-tls/main';
import { platformVictoriaMetrics } from './platform-vm/main';
import { prometheusFederation } from './prometheus-federation/main';
import { prometheusReceiver } from './prometheus-receiver/main';
import { thanosAgent } from './thanos-agent/main';
import { thanosSidecar } from './thanos-sidecar/main';
import { tempoDistributed } from './tempo-distributed/main';
import { umbrella } from './umbrella/main';
import { vmBackup } from './vm-backup/main';
import { vmMultiRegion } from './vm-multi-region/main';

/** Every runnable app, by the folder name its output goes to under dist/. */
export const APPS: Readonly<Record<string, (app: App) => void>> = {
  platform: defaultPlatform,
  'platform-dev': platformDev,
  'platform-tls': platformTls,
  'loki-multitenant': lokiMultitenant,
  'loki-aws': lokiAws,
  'thanos-agent': thanosAgent,
  'thanos-sidecar': thanosSidecar,
  'platform-vm': platformVictoriaMetrics,
  'vm-multi-region': vmMultiRegion,
  'prometheus-receiver': prometheusReceiver,
  'prometheus-federation': prometheusFederation,
  'platform-aws': platformAws,
  'db-cluster': dbCluster,
  umbrella,
  'loki-standalone': lokiStandalone,
  'loki-modes': lokiModes,
  'loki-migration': lokiMigration,
  'vm-backup': vmBackup,
  'tempo-distributed': tempoDistributed,
  'jaeger-kafka': jaegerKafka,
};
