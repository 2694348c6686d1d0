export * from './rule-groups';
