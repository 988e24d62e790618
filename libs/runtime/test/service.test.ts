import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, isAlive } from '@cryptoviz/testkit';
import { ConfigError, Counter, loadConfig, natsEnv, startService } from '../src/index.ts';

const require = createRequire(import.meta.url);
const writerMain = require.resolve('@cryptoviz/writer/main');
const tsx = pathToFileURL(require.resolve('tsx')).href;
const idleMain = fileURLToPath(new URL('./fixtures/idle-service.ts', import.meta.url));

describe('configuration', () => {
  it('names every bad variable and applies defaults', () => {
    const schema = z.object({ ...natsEnv, BATCH: z.coerce.number().int().min(1) });
    expect(() => loadConfig(schema, { NATS_URL: 'http://x', BATCH: '0' })).toThrow(
      /NATS_URL: must be a URL such as nats:\/\/127\.0\.0\.1:4222; BATCH: /,
    );
    expect(() => loadConfig(schema, {})).toThrow(ConfigError);
    expect(loadConfig(schema, { BATCH: '5' })).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      CRYPTOVIZ_NAMESPACE: '',
      BATCH: 5,
    });
  });

  it('a worker with a bad variable refuses to start and says which one', () => {
    const result = spawnSync(process.execPath, ['--import', tsx, writerMain], {
      env: {
        ...process.env,
        DATABASE_URL: 'mysql://nope',
        WRITER_BATCH_ROWS: 'many',
        NATS_URL: '',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^writer: invalid environment: /);
    expect(result.stderr).toMatch(/DATABASE_URL: must be a URL such as postgres:/);
    expect(result.stderr).toMatch(/WRITER_BATCH_ROWS: /);
    expect(result.stderr).toMatch(/NATS_URL: /);
  });
});

describe('service lifecycle', () => {
  it('serves health, readiness and metrics, and stops gracefully', async () => {
    let ready = false;
    let stopped = false;
    const service = await startService(
      {
        name: 'probe-test',
        env: {},
        async start({ registry }) {
          new Counter({ name: 'probe_test_total', help: 'x', registers: [registry] }).inc(3);
          return {
            isReady: () => ready,
            stop: async () => {
              stopped = true;
            },
          };
        },
      },
      { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    );
    const base = `http://127.0.0.1:${service.probe.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^probe_test_total\{service="probe-test"\} 3$/m);
    expect(metrics).toMatch(/cryptoviz_process_cpu_user_seconds_total/);
    await service.stop();
    expect(stopped).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('stops, gracefully, when the process that started it is killed', async () => {
    // A shell stands in for `cryptoviz up`: it starts the service with its own pid, then dies
    // by SIGKILL, which gives it no chance to stop its children.
    const shell = spawn(
      'bash',
      [
        '-c',
        `CRYPTOVIZ_PARENT_PID=$$ "$0" --import "$1" "$2" & echo $!; wait`,
        process.execPath,
        tsx,
        idleMain,
      ],
      {
        env: { ...process.env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      async () => output,
      (text) => text.includes('idle started'),
      { timeoutMs: 60_000 },
    );
    const pid = Number(output.split('\n')[0]);
    expect(isAlive(pid)).toBe(true);
    shell.kill('SIGKILL');
    await eventually(
      async () => isAlive(pid),
      (alive) => !alive,
    );
  }, 90_000);
});
