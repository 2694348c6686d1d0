export * from './endpoint';
export * from './kafka';
