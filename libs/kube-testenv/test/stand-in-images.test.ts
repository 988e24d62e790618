import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus } from '@cryptoviz/bus';
import { findTimescale } from '@cryptoviz/devenv';
import { freePort, IMAGE_UID } from '@cryptoviz/workloads';
import { ensureCoreDns, ensurePause } from '../src/binaries.ts';
import {
  coreDnsImage,
  natsImage,
  pauseImage,
  postgresImage,
  standInPostgresUnavailable,
  type StandInImage,
} from '../src/node/stand-in-images.ts';
import { runContainer, unpackImage, type Container, type UnpackedImage } from './run-image.ts';

/** Polls `check` until it holds; a run that never gets there fails with `what`. */
async function waitFor(what: string, check: () => Promise<boolean>, container?: Container) {
  const deadline = Date.now() + 60_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}; output:\n${container?.output() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The layout's names and the rootfs's root entry, as containerd and the kubelet will see them. */
function expectImageNamed(image: UnpackedImage, built: StandInImage) {
  expect(image.ref).toBe(built.ref);
  expect(image.refName).toBe(built.ref.slice(built.ref.lastIndexOf(':') + 1));
  // The layer's root is the container's `/`: a non-root user must be able to enter it.
  expect(image.listing.find((line) => line.endsWith(' ./'))).toMatch(/^drwxr-xr-x /);
}

// Made of this machine's PostgreSQL + TimescaleDB: where it has none, the run's summary says so.
describe.skipIf(standInPostgresUnavailable())('the stand-in PostgreSQL + TimescaleDB image', () => {
  let built: StandInImage;
  let image: UnpackedImage;
  let volume: string;
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    built = await postgresImage();
    image = unpackImage(built.file);
    // A fresh volume as a provisioner may hand it over: root's, open to all.
    volume = mkdtempSync(join(tmpdir(), 'stand-in-pgvolume-'));
    chmodSync(volume, 0o777);
  }, 600_000);
  afterAll(() => {
    image?.remove();
    if (volume) rmSync(volume, { recursive: true, force: true });
  });

  it('is named for the installed TimescaleDB and runs its entrypoint as uid 70', () => {
    expectImageNamed(image, built);
    expect(built.ref).toBe(`cryptoviz.local/timescaledb:${findTimescale()!.version}-pg15`);
    expect(image.config.User).toBe('70:70');
    expect(image.config.Entrypoint).toEqual(['/usr/local/bin/postgres-entrypoint']);
    expect(readFileSync(join(image.rootfs, 'etc/passwd'), 'utf8')).toContain('postgres:x:70:70:');
  });

  it('refuses a database name it cannot use as an identifier, naming the variable', async () => {
    const container = runContainer(image, {
      env: { POSTGRES_DB: 'bad"name', POSTGRES_PASSWORD: password, PGDATA: '/tmp/pgdata' },
      mounts: [{ destination: '/tmp', tmpfs: true }],
    });
    try {
      expect(await container.exited).toBe(1);
      expect(container.output()).toContain('POSTGRES_DB must be letters, digits and _');
    } finally {
      await container.remove();
    }
  });

  it('initializes PGDATA once, serves TimescaleDB with password auth and stops fast on SIGTERM', async () => {
    const port = await freePort();
    const url = (secret: string) => `postgres://cryptoviz:${secret}@127.0.0.1:${port}/cryptoviz`;
    // As charts/cryptoviz/templates/database.yaml runs it, but on loopback and a free port.
    const start = () =>
      runContainer(image, {
        args: ['-c', 'listen_addresses=127.0.0.1'],
        env: {
          POSTGRES_USER: 'cryptoviz',
          POSTGRES_DB: 'cryptoviz',
          POSTGRES_PASSWORD: password,
          PGDATA: '/var/lib/postgresql/data/pgdata',
          PGPORT: String(port),
        },
        mounts: [
          { destination: '/var/lib/postgresql/data', source: volume },
          { destination: '/var/run/postgresql', tmpfs: true },
          { destination: '/tmp', tmpfs: true },
        ],
      });
    const query = async (sql: string) => {
      const client = new pg.Client({ connectionString: url(password) });
      await client.connect();
      try {
        return (await client.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };

    let container = start();
    try {
      await waitFor(
        'PostgreSQL did not answer',
        async () => (await query('SELECT 1')).length === 1,
        container,
      );
      expect(container.output()).toContain('initializing a database cluster');
      // The chart's probe, run inside the container.
      const probe = container.exec([
        'pg_isready',
        '-h',
        '127.0.0.1',
        '-U',
        'cryptoviz',
        '-d',
        'cryptoviz',
      ]);
      expect(probe.status, probe.stdout + probe.stderr).toBe(0);
      const wrong = new pg.Client({ connectionString: url('not-the-password') });
      await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
      await wrong.end().catch(() => undefined);

      await query('CREATE EXTENSION timescaledb');
      await query('CREATE TABLE kept (id int)');
      expect(
        await query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"),
      ).toEqual([{ extversion: findTimescale()!.version }]);
      // The password file initdb read is gone, and no output names the password.
      expect(readdirSync(`/proc/${container.pid()}/root/tmp`)).toEqual([]);

      // A client still connected: a smart shutdown would wait for it forever.
      const holder = new pg.Client({ connectionString: url(password) });
      holder.on('error', () => undefined);
      await holder.connect();
      container.signal('TERM');
      expect(await container.exited).toBe(0);
      await holder.end().catch(() => undefined);
      expect(container.output()).toContain('fast shutdown request');
      expect(container.output()).not.toContain(password);
      await container.remove();

      container = start();
      await waitFor(
        'PostgreSQL did not answer after a restart',
        async () => (await query('SELECT 1')).length === 1,
        container,
      );
      expect(container.output()).not.toContain('initializing');
      expect(await query("SELECT to_regclass('kept') IS NOT NULL AS kept")).toEqual([
        { kept: true },
      ]);
      expect(
        await query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"),
      ).toEqual([{ extversion: findTimescale()!.version }]);
    } finally {
      await container.remove();
    }
  }, 180_000);
});

describe('the stand-in PostgreSQL image on a machine without TimescaleDB', () => {
  it('refuses to build, names what is missing, and the real-node test is told why', async () => {
    // A PostgreSQL whose pg_config names folders with no timescaledb files in them.
    const dir = mkdtempSync(join(tmpdir(), 'stand-in-no-timescale-'));
    const saved = process.env.PG_BIN_DIR;
    try {
      writeFileSync(
        join(dir, 'pg_config'),
        `#!/bin/sh\ncase $1 in --sharedir) echo ${dir}/share ;; --pkglibdir) echo ${dir}/lib ;; esac\n`,
        { mode: 0o755 },
      );
      process.env.PG_BIN_DIR = dir;
      expect(standInPostgresUnavailable()).toMatch(/TimescaleDB is not installed/);
      await expect(postgresImage()).rejects.toThrow(
        /cannot be built: TimescaleDB is not installed .* install TimescaleDB/,
      );
    } finally {
      if (saved === undefined) delete process.env.PG_BIN_DIR;
      else process.env.PG_BIN_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stand-in NATS image', () => {
  let built: StandInImage;
  let image: UnpackedImage;
  let store: string;

  beforeAll(async () => {
    built = await natsImage();
    image = unpackImage(built.file);
    store = mkdtempSync(join(tmpdir(), 'stand-in-natsstore-'));
    chmodSync(store, 0o777);
  }, 300_000);
  afterAll(() => {
    image?.remove();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('runs nats-server itself as the chart pod user', () => {
    expectImageNamed(image, built);
    expect(built.ref).toMatch(/^cryptoviz\.local\/nats:\d+\.\d+\.\d+$/);
    expect(image.config.Entrypoint).toEqual(['/usr/local/bin/nats-server']);
    expect(image.config.User).toBe(`${IMAGE_UID}:${IMAGE_UID}`);
  });

  it('serves JetStream with the chart arguments on a read-only root', async () => {
    const [port, monitor] = [await freePort(), await freePort()];
    // charts/cryptoviz/templates/nats.yaml's args, plus loopback and free ports.
    const container = runContainer(image, {
      args: [
        '--jetstream',
        '--store_dir',
        '/data',
        '--http_port',
        String(monitor),
        '--name',
        'nats-0',
      ].concat(['--addr', '127.0.0.1', '--port', String(port)]),
      mounts: [
        { destination: '/data', source: store },
        { destination: '/tmp', tmpfs: true },
      ],
    });
    try {
      const health = `http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`;
      await waitFor('NATS did not answer', async () => (await fetch(health)).ok, container);
      const nc = await connectBus(`nats://127.0.0.1:${port}`, 'stand-in-test');
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'STAND_IN', subjects: ['stand-in.>'] });
        const ack = await jsm.jetstream().publish('stand-in.tick', 'one');
        expect(ack).toMatchObject({ stream: 'STAND_IN', seq: 1 });
      } finally {
        await nc.close();
      }
      expect(readdirSync(store)).toContain('jetstream');
      container.signal('TERM');
      // Ended by itself, not killed (nats-server's own exit code for SIGTERM is 1).
      expect(await container.exited).not.toBeNull();
      expect(container.output()).toContain('Server Exiting');
    } finally {
      await container.remove();
    }
  }, 120_000);
});

describe('the stand-in pause and CoreDNS images', () => {
  it('runs pause as PID 1 until SIGTERM', async () => {
    const built = await pauseImage(await ensurePause());
    const image = unpackImage(built.file);
    try {
      expectImageNamed(image, built);
      expect(image.config.Entrypoint).toEqual(['/pause']);
      expect(
        image.listing.filter((line) => / \.\/\S/.test(line)).map((line) => line.split(' ').pop()),
      ).toEqual(['./pause']);
      const container = runContainer(image);
      try {
        await waitFor('pause did not start', async () => container.pid() > 0, container);
        container.signal('TERM');
        expect(await container.exited).toBe(0);
      } finally {
        await container.remove();
      }
    } finally {
      image.remove();
    }
  }, 1_800_000);

  it('runs CoreDNS as its nonroot user from the Corefile a ConfigMap mounts', async () => {
    const built = await coreDnsImage(await ensureCoreDns());
    const image = unpackImage(built.file);
    const config = mkdtempSync(join(tmpdir(), 'stand-in-corefile-'));
    try {
      expectImageNamed(image, built);
      expect(built.ref).toMatch(/^cryptoviz\.local\/coredns:\d+\.\d+\.\d+$/);
      expect(image.config.User).toBe('65532:65532');
      const [port, health] = [await freePort(), await freePort()];
      writeFileSync(
        join(config, 'Corefile'),
        `.:${port} {\n  bind 127.0.0.1\n  health 127.0.0.1:${health}\n  errors\n}\n`,
      );
      chmodSync(config, 0o755);
      const container = runContainer(image, {
        mounts: [{ destination: '/etc/coredns', source: config }],
      });
      try {
        await waitFor(
          'CoreDNS did not report healthy',
          async () => (await (await fetch(`http://127.0.0.1:${health}/health`)).text()) === 'OK',
          container,
        );
      } finally {
        await container.remove();
      }
    } finally {
      image.remove();
      rmSync(config, { recursive: true, force: true });
    }
  }, 3_600_000);
});
