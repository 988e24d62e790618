import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvFormatError, parseOhlcvCsv, readOhlcvCsv } from '../src/index.ts';

const HEADER = 'time,open,high,low,close,volume';

/** A CSV with the standard header and the given rows, one a line. */
function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

/** The message parseOhlcvCsv fails with; fails the test when it does not. */
function failure(text: string): string {
  try {
    parseOhlcvCsv(text, 'btc.csv');
  } catch (err) {
    expect(err).toBeInstanceOf(CsvFormatError);
    return (err as Error).message;
  }
  throw new Error('expected a CsvFormatError');
}

describe('parseOhlcvCsv', () => {
  it('reads bars in epoch ms, in any column order, ignoring blank lines, CRLF and a BOM', () => {
    const text =
      '\ufeffvolume,close,low,high,open,time\r\n' +
      '12.5,101,99,102,100,2024-01-01T00:00:00Z\r\n' +
      '\r\n' +
      '0,102,100.5,103,101,2024-01-01T01:00:00+00:00\r\n';
    expect(parseOhlcvCsv(text)).toEqual([
      { time: Date.UTC(2024, 0, 1, 0), open: 100, high: 102, low: 99, close: 101, volume: 12.5 },
      { time: Date.UTC(2024, 0, 1, 1), open: 101, high: 103, low: 100.5, close: 102, volume: 0 },
    ]);
  });

  it('reads a header without rows as no bars', () => {
    expect(parseOhlcvCsv(`${HEADER}\n`)).toEqual([]);
  });

  it('rejects an empty file, naming the columns it expected', () => {
    for (const text of ['', '\n\n']) {
      expect(failure(text)).toBe('btc.csv:1: no header; expected time,open,high,low,close,volume');
    }
  });

  it('rejects a header with a missing, unknown or repeated column on line 1', () => {
    expect(failure('time,open,high,low,volume\n2024-01-01T00:00:00Z,1,1,1,1\n')).toBe(
      'btc.csv:1: the header has no column "close"; expected time,open,high,low,close,volume',
    );
    expect(failure('time,open,high,low,Close,volume\n')).toBe(
      'btc.csv:1: header field 5 is not a known column; expected time,open,high,low,close,volume',
    );
    expect(failure('time,open,high,low,close,volume,close\n')).toMatch(
      /^btc\.csv:1: column "close" appears twice in the header/,
    );
  });

  it('rejects a row with a missing or extra field, naming the line and the column', () => {
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1,1'))).toBe(
      'btc.csv:2: column "volume": missing: the row has 5 fields, the header 6',
    );
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1,1,1,7'))).toBe(
      'btc.csv:2: 7 fields but the header has 6',
    );
  });

  it('rejects an empty field rather than reading it as 0', () => {
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1,1,'))).toBe(
      'btc.csv:2: column "volume": no value',
    );
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1, ,1'))).toBe(
      'btc.csv:2: column "close": no value',
    );
  });

  it.each([
    'abc',
    '1,5', // a decimal comma, quoted
    '0x10',
    'Infinity',
    'NaN',
  ])('rejects the non-numeric value %s', (value) => {
    expect(failure(csv(`2024-01-01T00:00:00Z,1,1,1,"${value}",1`))).toBe(
      'btc.csv:2: column "close": not a number',
    );
  });

  it('rejects a non-numeric volume', () => {
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1,1,lots'))).toBe(
      'btc.csv:2: column "volume": not a number',
    );
  });

  it.each(['open', 'high', 'low', 'close'])('rejects a zero or negative %s', (column) => {
    for (const value of ['0', '-3.5']) {
      const fields = { open: '1', high: '1', low: '1', close: '1', [column]: value };
      const row = `2024-01-01T00:00:00Z,${fields.open},${fields.high},${fields.low},${fields.close},1`;
      expect(failure(csv(row))).toBe(`btc.csv:2: column "${column}": a price must be positive`);
    }
  });

  it('accepts a zero volume but not a negative one', () => {
    expect(parseOhlcvCsv(csv('2024-01-01T00:00:00Z,1,1,1,1,0'))[0]!.volume).toBe(0);
    expect(failure(csv('2024-01-01T00:00:00Z,1,1,1,1,-1'))).toBe(
      'btc.csv:2: column "volume": a volume must not be negative',
    );
  });

  it.each([
    'yesterday',
    '2024-01-01T00:00:00', // no zone: local time would depend on the machine
    '2024-02-30T00:00:00Z', // Date.parse would roll this over to March 1
    '2024-13-01T00:00:00Z',
  ])('rejects the time %s', (time) => {
    expect(failure(csv(`${time},1,1,1,1,1`))).toBe(
      'btc.csv:2: column "time": not an ISO-8601 time with a zone, e.g. 2024-01-01T00:00:00Z',
    );
  });

  it('rejects unsorted rows, naming both lines', () => {
    const text = csv(
      '2024-01-01T00:00:00Z,1,1,1,1,1',
      '2024-01-01T02:00:00Z,1,1,1,1,1',
      '2024-01-01T01:00:00Z,1,1,1,1,1',
    );
    expect(failure(text)).toBe(
      'btc.csv:4: column "time": 2024-01-01T01:00:00.000Z is before line 3\'s 2024-01-01T02:00:00.000Z; ' +
        'rows must be sorted ascending with one row per time',
    );
  });

  it('rejects a duplicate time, however it is spelled', () => {
    const text = csv('2024-01-01T00:00:00Z,1,1,1,1,1', '2024-01-01T01:00:00+01:00,1,1,1,1,1');
    expect(failure(text)).toBe(
      'btc.csv:3: column "time": 2024-01-01T00:00:00.000Z is a duplicate of line 2; ' +
        'rows must be sorted ascending with one row per time',
    );
  });

  it('counts blank lines, so the line named is the line in the file', () => {
    const text = `${HEADER}\n\n2024-01-01T00:00:00Z,1,1,1,1,1\n\n\n2024-01-01T01:00:00Z,1,1,1,x,1\n`;
    expect(failure(text)).toMatch(/^btc\.csv:6: column "close"/);
  });

  it('reports malformed CSV quoting with the file name', () => {
    expect(failure(csv('"2024-01-01T00:00:00Z,1,1,1,1,1'))).toBe(
      'btc.csv:2: not valid CSV (CSV_QUOTE_NOT_CLOSED)',
    );
  });

  it('never quotes a secret, wherever in the file it sits', () => {
    const secret = fc.stringMatching(/^[a-z]{8,16}$/).map((word) => `zq${word}`);
    const field = (word: string) =>
      fc.oneof(
        fc.constant(word),
        fc.constantFrom('time', 'open', 'close', 'volume', '2024-01-01T00:00:00Z', '1', '', '"'),
      );
    const text = (word: string) =>
      fc
        .array(fc.array(field(word), { minLength: 1, maxLength: 7 }), {
          minLength: 1,
          maxLength: 5,
        })
        .map((lines) => `${lines.map((line) => line.join(',')).join('\n')}\n${word}\n`);
    fc.assert(
      fc.property(
        secret.chain((word) => text(word).map((body) => ({ word, body }))),
        ({ word, body }) => {
          // The secret's own line makes every such file fail somewhere.
          expect(failure(body)).not.toContain(word);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('quotes nothing of a file that is no CSV: its lines may be secrets', () => {
    const secrets = [
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n',
      `${HEADER}\nhunter2,1,1,1,1,1\n`,
      `${HEADER}\n2024-01-01T00:00:00Z,1,1,1,s3cr3t,1\n`,
      `${HEADER}\n2024-01-01T00:00:00Z,1,"1,1,1,1\n`,
      'api_key="abc"def",1\n',
    ];
    for (const text of secrets) {
      const message = failure(text);
      for (const word of ['root', 'bash', 'daemon', 'hunter2', 's3cr3t', 'abc', 'def']) {
        expect(message).not.toContain(word);
      }
    }
  });
});

describe('readOhlcvCsv', () => {
  it('names the file in its errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cryptoviz-ohlcv-'));
    const path = join(dir, 'eth.csv');
    await writeFile(path, csv('2024-01-01T00:00:00Z,1,1,1,-1,1'));
    await expect(readOhlcvCsv(path)).rejects.toThrow(
      `${path}:2: column "close": a price must be positive`,
    );
  });
});
