export * from './pushgateway';
