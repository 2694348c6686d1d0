import { OWN_PREFIX } from '../core/names';
import { ResourceRequirements } from '../core/resources';
import { LokiComponentShape, LokiMode, ResolvedLokiProps } from './props';

/**
 * One Loki workload: its `-target`, the config of which mode it reads, its size, and what it
 * keeps. The construct emits each the same way (Services, certificate, pods).
 */
export interface LokiComponentPlan {
  /** The name suffix and identity component: `<name>-<component>`. */
  readonly component: string;
  /** Loki's `-target`. */
  readonly target: string;
  /** The mode whose config the pods read. */
  readonly mode: LokiMode;
  /** The property path of the user's options, for messages. */
  readonly property: string;
  readonly options: LokiComponentShape;
  readonly replicas: number;
  /** A volume per pod (a StatefulSet) for WAL, index cache or compactor work; else a Deployment on scratch space. */
  readonly stateful: boolean;
  /** Holds an ingester: its pods never share a node. */
  readonly ingests: boolean;
  /** Flags the config cannot say for this workload alone (the main compactor). */
  readonly extraFlags?: readonly string[];
  /** Pod labels beyond the identity's, e.g. the one the Service of every `-target=all` pod selects. */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly defaultResources: ResourceRequirements;
  /** Seconds a pod gets to stop: ingesters flush, the compactor finishes its pass. */
  readonly grace: number;
}

/** The Services the gateway sends each kind of request to, by name suffix. */
export interface LokiRoutes {
  readonly push: string;
  readonly query: string;
  /** Live tail: a websocket to a querier (the query-frontend does not proxy it without a tail URL). */
  readonly tail: string;
  /** The ruler's API: rule groups and alerts. */
  readonly rules: string;
  /** The delete API: the (main) compactor. */
  readonly deletes: string;
}

/** The pod label of every `-target=all` pod, main compactor included: what `<name>-all` selects. */
export const ALL_TARGET_LABEL = `${OWN_PREFIX}/loki-all`;

/** The gateway's resources when none are given. */
export const GATEWAY_RESOURCES: ResourceRequirements = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };
const SMALL: ResourceRequirements = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } };
const READER: ResourceRequirements = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };
const WRITER: ResourceRequirements = { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } };
const MONOLITH: ResourceRequirements = { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } };

/** The workloads of one mode. */
export function lokiComponents(p: ResolvedLokiProps, mode: LokiMode): LokiComponentPlan[] {
  switch (mode) {
    case 'simple-scalable':
      return [
        plan('write', 'write', mode, 'write', p.write, { stateful: true, ingests: true, defaultResources: WRITER, grace: 300 }),
        plan('read', 'read', mode, 'read', p.read, { stateful: false, defaultResources: READER }),
        plan('backend', 'backend', mode, 'backend', p.backend, { stateful: true, defaultResources: READER, grace: 300 }),
      ];
    case 'ha-monolithic': {
      // One pod runs the main compactor (its own StatefulSet, so only it gets the flag); the
      // others are workers that take jobs from it. All are `-target=all` and one Service away.
      const labels = { [ALL_TARGET_LABEL]: 'true' };
      const common = { stateful: true, ingests: true, defaultResources: MONOLITH, grace: 300, podLabels: labels };
      return [
        plan('all-main', 'all', mode, 'monolithic', { ...p.monolithic, replicas: 1 }, { ...common, extraFlags: ['-compactor.horizontal-scaling-mode=main'] }),
        plan('all', 'all', mode, 'monolithic', { ...p.monolithic, replicas: p.monolithic.replicas - 1 }, common),
      ];
    }
    case 'distributed': {
      const d = p.distributed;
      const at = (component: keyof typeof d) => `distributed.${component}`;
      return [
        plan('distributor', 'distributor', mode, at('distributor'), d.distributor, { stateful: false, defaultResources: READER }),
        plan('ingester', 'ingester', mode, at('ingester'), d.ingester, { stateful: true, ingests: true, defaultResources: WRITER, grace: 300 }),
        plan('querier', 'querier', mode, at('querier'), d.querier, { stateful: false, defaultResources: READER }),
        plan('query-frontend', 'query-frontend', mode, at('queryFrontend'), d.queryFrontend, { stateful: false, defaultResources: SMALL }),
        plan('query-scheduler', 'query-scheduler', mode, at('queryScheduler'), d.queryScheduler, { stateful: false, defaultResources: SMALL }),
        plan('index-gateway', 'index-gateway', mode, at('indexGateway'), d.indexGateway, { stateful: true, defaultResources: READER }),
        plan('compactor', 'compactor', mode, at('compactor'), d.compactor, { stateful: true, defaultResources: READER, grace: 300 }),
        plan('ruler', 'ruler', mode, at('ruler'), d.ruler, { stateful: true, defaultResources: READER, grace: 300 }),
      ];
    }
  }
}

/** Where the gateway sends each kind of request in `mode`. */
export function lokiRoutes(mode: LokiMode): LokiRoutes {
  switch (mode) {
    case 'simple-scalable':
      return { push: 'write', query: 'read', tail: 'read', rules: 'backend', deletes: 'backend' };
    case 'ha-monolithic':
      // Deletes go to the main compactor only, as Loki's migration guide routes them.
      return { push: 'all', query: 'all', tail: 'all', rules: 'all', deletes: 'compactor' };
    case 'distributed':
      return { push: 'distributor', query: 'query-frontend', tail: 'querier', rules: 'ruler', deletes: 'compactor' };
  }
}

/** The pods that hold ingesters in `mode`: the options that size them, and how many they are (what the replication factor must fit in). */
export function ingestingReplicas(p: ResolvedLokiProps, mode: LokiMode): { readonly options: string; readonly replicas: number } {
  switch (mode) {
    case 'simple-scalable':
      return { options: 'write', replicas: p.write.replicas };
    case 'ha-monolithic':
      return { options: 'monolithic', replicas: p.monolithic.replicas };
    case 'distributed':
      return { options: 'distributed.ingester', replicas: p.distributed.ingester.replicas };
  }
}

function plan(
  component: string,
  target: string,
  mode: LokiMode,
  property: string,
  options: LokiComponentShape,
  shape: Pick<LokiComponentPlan, 'stateful' | 'defaultResources'> & Partial<Pick<LokiComponentPlan, 'ingests' | 'grace' | 'extraFlags' | 'podLabels'>>,
): LokiComponentPlan {
  return { component, target, mode, property, options, replicas: options.replicas ?? 1, ingests: false, grace: 30, ...shape };
}
