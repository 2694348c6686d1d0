export * from './bucket-name';
export * from './credentials';
export * from './minio';
export * from './object-storage';
