export * from './common';
export * from './tenant';
export * from './retention';
export * from './relabel';
export * from './vmstorage';
export * from './frontends';
export * from './cluster';
export * from './vmagent';
