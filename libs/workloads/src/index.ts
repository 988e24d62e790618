export * from './plan.ts';
export * from './shards.ts';
export * from './backend.ts';
export * from './process-backend.ts';
export * from './local-backend.ts';
export * from './image.ts';
export * from './oci-archive.ts';
export * from './host-rootfs.ts';
