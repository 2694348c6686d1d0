export * from './core';
export * from './object-storage';
export * from './memcached';
export * from './loki';
export * from './prometheus';
export * from './thanos';
export * from './victoriametrics';
export * from './platform';
