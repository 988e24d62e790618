export * from './binaries.ts';
export * from './control-plane.ts';
export * from './crds.ts';
export * from './node/stand-in-images.ts';
export * from './node/node-cluster.ts';
export { nodeUnsupportedReason } from './node/host.ts';
