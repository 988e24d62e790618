import { resolve } from 'node:path';
import { findOrStartNats, type NatsHandle } from './nats.ts';
import { findOrStartPostgres, type PostgresHandle } from './postgres.ts';

export * from './timescale.ts';
export * from './nats.ts';
export * from './postgres.ts';
export * from './own-postgres.ts';

export interface Infrastructure {
  postgres: PostgresHandle;
  nats: NatsHandle;
  stop(): Promise<void>;
}

/** Where local state (embedded PostgreSQL data, spawned NATS store) lives: in the project. */
export function defaultStateDir(cwd = process.cwd()): string {
  return resolve(cwd, '.cryptoviz');
}

export async function findOrStartInfrastructure(
  stateDir = defaultStateDir(),
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => {},
  options: { preferTimescale?: boolean; createDatabase?: boolean } = {},
): Promise<Infrastructure> {
  const postgres = await findOrStartPostgres(stateDir, env, log, options);
  let nats: NatsHandle;
  try {
    nats = await findOrStartNats(stateDir, env, log);
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  return {
    postgres,
    nats,
    stop: async () => {
      await nats.stop();
      await postgres.stop();
    },
  };
}
