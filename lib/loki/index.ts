export * from './cluster';
export * from './props';
export { LOKI_PORTS } from './config';
