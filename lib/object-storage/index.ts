export * from './bucket-name';
export * from './credentials';
export * from './minio';
export * from './seaweedfs';
export * from './object-storage';
export * from './aws-plan';
export * from './aws-storage';
export * from './usage';
