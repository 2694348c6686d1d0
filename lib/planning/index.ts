/**
 * What the library can work out before anything is applied: how big a platform must be for a load,
 * and what applying a new output on top of an old one does.
 */
export * from './capacity';
export * from './upgrade';
