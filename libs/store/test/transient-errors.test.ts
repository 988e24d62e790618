import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../src/index.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('which database errors are worth waiting out', () => {
  it('waits out lost connections, shutdowns, overload and conflicts', () => {
    for (const err of [
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      withCode('too many connections', '53300'),
      withCode('could not serialize access', '40001'),
      withCode('deadlock detected', '40P01'),
    ]) {
      expect(isTransientDatabaseError(err), err.message).toBe(true);
    }
  });

  it('gives up on bad data and on bugs, which no retry can fix', () => {
    for (const err of [
      withCode('value too long for type character varying(32)', '22001'),
      withCode('new row violates check constraint', '23514'),
      withCode('relation "ticks" does not exist', '42P01'),
      new TypeError("Cannot read properties of undefined (reading 'price')"),
      new RangeError('Invalid time value'),
      new Error('something unexpected'),
      'a thrown string',
      undefined,
    ]) {
      expect(isTransientDatabaseError(err), String(err)).toBe(false);
    }
  });

  it('recognizes what node-postgres really throws when nothing listens', async () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/x' });
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTransientDatabaseError(err)).toBe(true);
  });
});
