export * from './props';
export { TEMPO_PORTS } from './config';
export { TEMPO_S3_ACTIONS } from './storage';
export * from './tempo';
export * from './dashboard';
export * from './gateway';
