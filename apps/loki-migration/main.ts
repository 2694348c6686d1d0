import { App } from 'cdk8s';
import { LokiMigration, LokiMode } from '../../lib';
import { lokiOfMode } from '../loki-modes/main';

/**
 * The staged move off Simple Scalable, every stage of it, to each mode Loki 4 keeps: one chart per
 * target and stage (`loki-to-<mode>-stage-<n>`), each the whole output to apply at that stage.
 */
export function lokiMigration(app: App): void {
  const targets: LokiMode[] = ['ha-monolithic', 'distributed'];
  const stages: Array<LokiMigration['stage']> = [1, 2, 3];
  for (const mode of targets) {
    for (const stage of stages) lokiOfMode(app, `loki-to-${mode}-stage-${stage}`, { mode, migration: { from: 'simple-scalable', stage } });
  }
}

if (require.main === module) {
  const app = new App();
  lokiMigration(app);
  app.synth();
}
