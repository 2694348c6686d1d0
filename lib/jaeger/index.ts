export * from './jaeger';
export { JAEGER_PORTS } from './config';
export * from './datasource';
