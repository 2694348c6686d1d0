export * from './jaeger';
export { JAEGER_PORTS } from './config';
