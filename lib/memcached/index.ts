export * from './memcached';
