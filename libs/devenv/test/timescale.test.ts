import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOrStartPostgres, findTimescale } from '../src/index.ts';
import { queryOnce } from './query-once.ts';

const NOBODY = 'postgres://postgres@127.0.0.1:1/postgres';
const install = findTimescale();

// Generated only where the machine has the extension, like every TimescaleDB test; the
// run's summary says whether it had.
describe.each(install ? [install.version] : [])('finding or starting TimescaleDB %s', () => {
  it('starts a server of its own that loads it, keeping its data, when no local server does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-tsdb-'));
    const lines: string[] = [];
    const where = { localUrl: NOBODY, timescalePort: 54341, preferTimescale: true };
    const first = await findOrStartPostgres(dir, {}, (l) => lines.push(l), where);
    try {
      expect(first.origin).toBe('timescaledb');
      expect(lines.join('\n')).toMatch(/starting PostgreSQL with TimescaleDB .* on port 54341/);
      await queryOnce(first.adminUrl, 'CREATE EXTENSION IF NOT EXISTS timescaledb');
    } finally {
      await first.stop();
    }
    const second = await findOrStartPostgres(dir, {}, () => {}, where);
    try {
      const created = await queryOnce(
        second.adminUrl,
        "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
      );
      expect(created.rowCount).toBe(1);
    } finally {
      await second.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
