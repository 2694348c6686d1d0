export * from './config';
export * from './prometheus';
export * from './rule-groups';
