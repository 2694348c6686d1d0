import { App } from 'cdk8s';
import { ObservabilityPlatform, PlatformSpec, acknowledgeWarning } from '../../lib';
import { acknowledgeExampleAlertmanager } from '../acknowledgements';

/** The restore this example recovers with: a new id restores again, the same one never twice. */
export const EXAMPLE_RESTORE_ID = 'restore-2026-12-01';

/**
 * Backups and recovery of the VictoriaMetrics platform, as two outputs of one spec: `vm-backup`
 * backs every vmstorage node up to the in-cluster object store every hour; `vm-restore` is what to
 * apply to recover from those backups (every node restores its latest backup once, before
 * vmstorage starts). The README's recovery runbook walks through both.
 */
export function vmBackup(app: App): void {
  const spec = (restore: boolean): PlatformSpec => ({
    metricsBackend: 'victoriametrics',
    victoriaMetrics: { backup: { interval: '1h', ...(restore ? { restore: { id: EXAMPLE_RESTORE_ID } } : {}) } },
  });
  acknowledgeExampleAlertmanager(new ObservabilityPlatform(app, 'vm-backup', spec(false)));
  const restoring = new ObservabilityPlatform(app, 'vm-restore', spec(true));
  acknowledgeExampleAlertmanager(restoring);
  acknowledgeWarning(restoring, 'vmstorage-restore', 'this output exists to restore: it is applied only to recover from the backups');
}

if (require.main === module) {
  const app = new App();
  vmBackup(app);
  app.synth();
}
