export { planUpgrade } from './plan';
export { upgradeReportMarkdown, upgradeSummary } from './report';
export { CHANGE_CLASSES, blocksApply, describeObject, worstClass } from './change';
export type { ChangeClass, ObjectRef, PlannedChange, RolloutStep, UpgradePlan } from './change';
export type { ManifestObject } from './objects';
