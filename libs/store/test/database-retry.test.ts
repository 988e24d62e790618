import { describe, expect, it } from 'vitest';
import { retryWhileDatabaseDown } from '../src/database-retry.ts';

/** What node-postgres throws when the server goes away (57P01: admin shutdown). */
const shutdown = () => Object.assign(new Error('terminating connection'), { code: '57P01' });

describe('retryWhileDatabaseDown', () => {
  it('retries transient failures until the database answers, telling each retry', async () => {
    const retries: [string, number][] = [];
    let calls = 0;
    const result = await retryWhileDatabaseDown(
      async () => {
        calls++;
        if (calls < 3) throw shutdown();
        return 'stored';
      },
      (err, attempt) => retries.push([err.message, attempt]),
    );
    expect(result).toBe('stored');
    expect(retries).toEqual([
      ['terminating connection', 1],
      ['terminating connection', 2],
    ]);
  });

  it('throws what the database refuses (bad data) at once', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    await expect(
      retryWhileDatabaseDown(async () => {
        calls++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
