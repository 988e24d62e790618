import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishTicks } from '@cryptoviz/bus';
import { countTicks } from '@cryptoviz/store';
import {
  createTestBus,
  createTestDatabase,
  eventually,
  sampleTicks,
  type TestBus,
  type TestDatabase,
} from '@cryptoviz/testkit';

const require = createRequire(import.meta.url);
const writerMain = require.resolve('@cryptoviz/writer/main');
const tsx = pathToFileURL(require.resolve('tsx')).href;

describe('writer process', () => {
  let bus: TestBus;
  let db: TestDatabase;
  const children: ChildProcess[] = [];

  function startWriterProcess(): ChildProcess {
    const child = spawn(process.execPath, ['--import', tsx, writerMain], {
      env: {
        ...process.env,
        NATS_URL: bus.url,
        CRYPTOVIZ_NAMESPACE: bus.topo.namespace,
        DATABASE_URL: db.url,
        WRITER_BATCH_ROWS: '1000',
        WRITER_ACK_WAIT_S: '2',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  beforeEach(async () => {
    [bus, db] = await Promise.all([createTestBus(), createTestDatabase()]);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all([bus.drop(), db.drop()]);
  });

  it('killed mid-stream and restarted: no tick lost, none doubled', async () => {
    const ticks = sampleTicks(40_000, 'default/crash');
    const first = startWriterProcess();
    const publishing = publishTicks(bus.nc, bus.topo, ticks);
    const atKill = await eventually(
      () => countTicks(db.pool),
      (n) => n >= 2_000,
      {
        intervalMs: 10,
      },
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const afterKill = await countTicks(db.pool);
    expect(afterKill).toBeLessThan(ticks.length);
    expect(atKill).toBeGreaterThan(0);

    await publishing;
    startWriterProcess();
    await eventually(
      () => countTicks(db.pool),
      (n) => n === ticks.length,
      { timeoutMs: 60_000 },
    );
    const distinct = await db.pool.query<{ n: string }>(
      'SELECT count(DISTINCT (source, symbol, time)) AS n FROM ticks',
    );
    expect(Number(distinct.rows[0]!.n)).toBe(ticks.length);
  });

  it('drains and exits cleanly on SIGTERM, leaving nothing unwritten', async () => {
    const child = startWriterProcess();
    await publishTicks(bus.nc, bus.topo, sampleTicks(5_000, 'default/drain'));
    await eventually(
      () => countTicks(db.pool),
      (n) => n === 5_000,
    );
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
