export * from './cluster';
export * from './props';
export type { LokiLimits } from './limits';
export { LOKI_PORTS } from './config';
export { LOKI_S3_ACTIONS } from './storage';
export * from './dashboard';
