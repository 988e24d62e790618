export * from './binaries.ts';
export * from './control-plane.ts';
export * from './crds.ts';
