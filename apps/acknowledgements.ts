import { IConstruct } from 'constructs';
import { acknowledgeWarning } from '../lib';

/**
 * The example apps run an Alertmanager without a receiver integration: they cannot know your
 * pager. Your own app gives `alertmanager: { config }` receivers instead of acknowledging this.
 */
export function acknowledgeExampleAlertmanager(scope: IConstruct): void {
  acknowledgeWarning(scope, 'alerts-delivered-nowhere', 'an example app: its Alertmanager has no pager to send to until a receiver integration is added');
}
