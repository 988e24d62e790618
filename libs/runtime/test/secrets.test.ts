import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createScrubber,
  MIN_SECRET_FRAGMENT,
  redactUrlPassword,
  REDACTED,
} from '@cryptoviz/runtime';
import { secretLeaks } from '@cryptoviz/testkit/secret-leaks';

const KEY = 'CG-s3cr3t/Key+Value=42';
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('createScrubber', () => {
  it('removes a key raw, URL-encoded, JSON-escaped and base64-encoded', () => {
    const scrub = createScrubber([KEY]);
    const text = `raw ${KEY} url ${encodeURIComponent(KEY)} lower ${encodeURIComponent(KEY).replace(/%2F/g, '%2f')} b64 ${b64(KEY)} json ${JSON.stringify({ KEY })}`;
    expect(scrub(text)).toBe(
      `raw ${REDACTED} url ${REDACTED} lower ${REDACTED} b64 ${REDACTED} json {"KEY":"${REDACTED}"}`,
    );
    expect(createScrubber([undefined, null, ''])('untouched')).toBe('untouched');
  });

  it('removes what is left of a key cut by an excerpt, at either end', () => {
    const scrub = createScrubber([KEY]);
    expect(scrub(`invalid JSON (starts "token=${KEY.slice(0, 9)}`)).toBe(
      `invalid JSON (starts "token=${REDACTED}`,
    );
    expect(scrub(`…${KEY.slice(-7)}"} trailing`)).toBe(`…${REDACTED}"} trailing`);
    // Five characters are too common a string to be taken for the key.
    expect(scrub(`${KEY.slice(0, 5)} stays`)).toBe(`${KEY.slice(0, 5)} stays`);
  });

  it('finds a key in basic-auth base64, whatever precedes it', () => {
    const scrub = createScrubber([KEY]);
    for (const user of ['u', 'us', 'use', 'user']) {
      const encoded = b64(`${user}:${KEY}`);
      const scrubbed = scrub(`Basic ${encoded}`);
      expect(scrubbed).toContain(REDACTED);
      // The characters that encode the key alone: all but those shared with the user's.
      const ofKey = encoded.slice(8, -4);
      for (let i = 0; i + MIN_SECRET_FRAGMENT <= ofKey.length; i++) {
        expect(scrubbed).not.toContain(ofKey.slice(i, i + MIN_SECRET_FRAGMENT));
      }
    }
  });

  it('replaces a short secret only whole', () => {
    expect(createScrubber(['abc'])('xabcx ab')).toBe(`x${REDACTED}x ab`);
  });

  it('leaves no run of six characters of any secret, in any text (property)', () => {
    const secret = fc.string({ minLength: MIN_SECRET_FRAGMENT, maxLength: 40, unit: 'binary' });
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('[', ']', 'redacted'))),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat())),
        (secrets, noise, cuts) => {
          // Text made of noise and pieces of the secrets in every form, cut anywhere.
          const pieces = cuts.map(([which, from, length]) => {
            const value = secrets[which % secrets.length]!;
            const forms = [value, encodeURIComponent(value), b64(value)];
            const form = forms[from % forms.length]!;
            const start = from % form.length;
            return form.slice(start, start + (length % (form.length + 1)));
          });
          const text = [...noise, ...pieces].sort().join('');
          const scrubbed = createScrubber(secrets)(text);
          for (const value of secrets) expect(secretLeaks(scrubbed, value)).toEqual([]);
        },
      ),
    );
  });

  it('changes nothing in a text that holds no run of a secret (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const secret = 'qQ#§¶-never-in-the-alphabet-ÿ';
        fc.pre(secretLeaks(text, secret).length === 0);
        expect(createScrubber([secret])(text)).toBe(text);
      }),
    );
  });
});

describe('redactUrlPassword', () => {
  it("hides a URL's password, whatever it is, and keeps the rest", () => {
    expect(redactUrlPassword('postgres://app:s3cr%40t@db:5432/cryptoviz')).toBe(
      'postgres://app:***@db:5432/cryptoviz',
    );
    expect(redactUrlPassword('postgres://app@db/cryptoviz')).toBe('postgres://app@db/cryptoviz');
  });
});

describe('createLogger', () => {
  it('scrubs its secrets from every line it writes, wherever in the line they are', () => {
    // pino writes to the file descriptor itself: what reaches it is seen from outside.
    const program = `
      import { createLogger } from '@cryptoviz/runtime';
      const key = process.env.THE_KEY;
      const log = createLogger('test', 'trace', [key]);
      log.warn({ err: 'echoed ' + key.slice(2), apiKey: 'field' }, 'message ' + btoa(key));
      log.info({ nested: { url: 'https://x/?k=' + encodeURIComponent(key) } }, 'nested');
    `;
    const child = spawnSync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '--eval', program],
      { cwd: import.meta.dirname, env: { ...process.env, THE_KEY: KEY }, encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    const lines = child.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(child.stdout).toContain('message [redacted]');
    expect(child.stdout).toContain('"apiKey":"[redacted]"');
    expect(child.stdout).toContain('"err":"echoed [redacted]"');
    expect(secretLeaks(child.stdout, KEY)).toEqual([]);
  });
});
