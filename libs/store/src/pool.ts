import pg from 'pg';

// float8 and int8 arrive as numbers, timestamps as Dates: the query layer's contract.
pg.types.setTypeParser(pg.types.builtins.FLOAT8, Number);

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
  // An idle client losing its server (a restart) must not crash the process; the next
  // query reconnects and the caller's retry policy handles the outage.
  pool.on('error', () => undefined);
  return pool;
}

/** node-postgres's own connection failures, which carry no code. */
const CONNECTION_LOST = /terminated|connect|not queryable|timeout|timed out|socket|closed/i;

/**
 * Connection failures and server shutdowns pass; bad data, and bugs (a TypeError, say),
 * do not: retrying those would hold a batch forever.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string')
    return err.constructor === Error && CONNECTION_LOST.test(err.message);
  return (
    code.startsWith('08') || // connection exception
    code.startsWith('57P') || // admin shutdown, crash shutdown, cannot connect now
    code.startsWith('53') || // insufficient resources
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock
    /^E[A-Z]+$/.test(code) // node socket errors
  );
}
