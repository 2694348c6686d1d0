export * from './dashboards';
export * from './dashboards/builtin';
export * from './ini';
export * from './grafana';
export * from './operator';
export * from './oidc';
