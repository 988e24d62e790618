export * from './config.ts';
export * from './http-server.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './probe-server.ts';
export * from './service.ts';
export * from './settles-within.ts';
export * from './secrets.ts';
