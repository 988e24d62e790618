import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithToken, failure, startTestGateway, TOKEN, type TestGateway } from './support.ts';

const replaySource = (name: string, path: string) => ({
  kind: 'CryptoSource' as const,
  metadata: { name },
  spec: { provider: 'replay', symbols: ['BTC'], replay: { data: { BTC: path } } },
});

/** The BAD_REQUEST message a replay source with this path is refused with. */
async function refusal(gw: TestGateway, path: string): Promise<string> {
  const admin = clientWithToken(gw.url, TOKEN);
  const error = await failure(admin.resources.create.mutate({ manifest: replaySource('r', path) }));
  expect(error.data?.code).toBe('BAD_REQUEST');
  return error.message;
}

describe('replay files in resource mutations', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-data-'));
  let confined: TestGateway;
  let schemaOnly: TestGateway;
  beforeAll(async () => {
    mkdirSync(join(dataDir, 'market'));
    writeFileSync(join(dataDir, 'market/btc.csv'), 'time,open,high,low,close,volume\n');
    symlinkSync('/etc/passwd', join(dataDir, 'market/passwd.csv'));
    [confined, schemaOnly] = await Promise.all([
      startTestGateway({ CRYPTOVIZ_DATA_DIR: dataDir }),
      startTestGateway(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([confined?.stop(), schemaOnly?.stop()]);
  });

  it('refuses an absolute path or a .. segment by the schema, with or without a data directory', async () => {
    for (const gw of [confined, schemaOnly]) {
      for (const path of ['/etc/passwd', 'market/../../etc/passwd']) {
        expect(await refusal(gw, path)).toBe(
          `CryptoSource "r" is invalid: spec.replay.data.BTC: must be a path inside the data directory (CRYPTOVIZ_DATA_DIR): relative, with no '..', leading '/' or '//'`,
        );
      }
    }
  });

  it('with a data directory, refuses a missing file or a symlink out of it, and saves a file inside', async () => {
    expect(await refusal(confined, 'market/none.csv')).toBe(
      'CryptoSource "r" is invalid: spec.replay.data.BTC "market/none.csv": no such file in the data directory',
    );
    const leak = await refusal(confined, 'market/passwd.csv');
    expect(leak).toBe(
      'CryptoSource "r" is invalid: spec.replay.data.BTC "market/passwd.csv": leads out of the data directory (through a symlink)',
    );
    expect(leak).not.toContain('root');
    const admin = clientWithToken(confined.url, TOKEN);
    await admin.resources.create.mutate({ manifest: replaySource('btc', 'market/btc.csv') });
    expect(existsSync(join(confined.manifests, 'source-btc.yaml'))).toBe(true);
  });

  it('without one, checks by the schema alone: the fetchers may see files the gateway does not', async () => {
    const admin = clientWithToken(schemaOnly.url, TOKEN);
    await admin.resources.create.mutate({ manifest: replaySource('elsewhere', 'market/none.csv') });
    expect(existsSync(join(schemaOnly.manifests, 'source-elsewhere.yaml'))).toBe(true);
  });
});
