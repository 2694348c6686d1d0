export * from './config';
export * from './prometheus';
export type { FederationEndpoint, PrometheusFederation } from './federation';
