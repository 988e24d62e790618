import { CsvError, parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** One hourly (or other) bar as stored in `data/market/*.csv`. */
export interface Bar {
  /** Bar open time, epoch milliseconds UTC. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
}

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof COLUMNS)[number];
type PriceColumn = Exclude<Column, 'time' | 'volume'>;

// Zod's ISO check also rejects impossible dates (2024-02-30) that Date.parse would roll over.
const isoTime = z.iso.datetime({ offset: true });
// Number() would also take "", "0x10" and "Infinity"; a price column holds none of those.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** Where a problem is, so every message names the line and, when there is one, the column. */
class Place {
  constructor(
    readonly origin: string,
    readonly line: number,
  ) {}

  error(message: string, column?: Column): CsvFormatError {
    const where = column ? ` column "${column}":` : '';
    return new CsvFormatError(`${this.origin}:${this.line}:${where} ${message}`);
  }
}

/**
 * Parses an OHLCV CSV (`time,open,high,low,close,volume` in any column order, ISO-8601 times
 * with a zone, ascending). A file with a header and no rows is no bars; a file without even a
 * header is an error. Rows must be strictly increasing in time: a duplicate or out-of-order row
 * is an error that names its line, because silently re-sorting would hide a broken export.
 */
export function parseOhlcvCsv(text: string, origin = 'csv'): Bar[] {
  const [header, ...rows] = readRecords(text, origin);
  if (!header) throw new Place(origin, 1).error(`no header; expected ${COLUMNS.join(',')}`);
  const indexOf = columnIndexes(header, origin);
  const bars: Bar[] = [];
  let previousLine = 0;
  for (const row of rows) {
    const place = new Place(origin, row.info.lines);
    const bar = parseBar(row.record, indexOf, header.record.length, place);
    const previous = bars.at(-1);
    if (previous) requireLater(bar, previous, previousLine, place);
    bars.push(bar);
    previousLine = place.line;
  }
  return bars;
}

/** `origin` names the file in messages (default: the path read). */
export async function readOhlcvCsv(path: string, origin = path): Promise<Bar[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CsvFormatError(`${origin}: cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  return parseOhlcvCsv(text, origin);
}

/** Records as string arrays with their line numbers; blank lines make no record but are counted. */
function readRecords(text: string, origin: string): CsvRecord[] {
  try {
    return parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      // Spreadsheet exports often start with a byte-order mark that would rename "time".
      bom: true,
      // Short or long rows are reported below, naming the missing column.
      relax_column_count: true,
    }) as unknown as CsvRecord[]; // csv-parse's types do not model what `info: true` returns
  } catch (err) {
    // csv-parse's own message quotes the field it choked on: only its code and line leave here.
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? `:${err.lines}` : '';
    throw new CsvFormatError(`${origin}${line}: not valid CSV (${err.code})`);
  }
}

function columnIndexes({ record, info }: CsvRecord, origin: string): Record<Column, number> {
  const place = new Place(origin, info.lines);
  const expected = `expected ${COLUMNS.join(',')}`;
  for (const [index, name] of record.entries()) {
    if (!(COLUMNS as readonly string[]).includes(name)) {
      // Not quoted: this may be the first line of a file that is no CSV at all.
      throw place.error(`header field ${index + 1} is not a known column; ${expected}`);
    }
    if (record.indexOf(name) !== index) {
      throw place.error(`column "${name}" appears twice in the header; ${expected}`);
    }
  }
  const missing = COLUMNS.find((name) => !record.includes(name));
  if (missing) throw place.error(`the header has no column "${missing}"; ${expected}`);
  return Object.fromEntries(COLUMNS.map((name) => [name, record.indexOf(name)])) as Record<
    Column,
    number
  >;
}

function parseBar(
  record: readonly string[],
  indexOf: Record<Column, number>,
  width: number,
  place: Place,
): Bar {
  if (record.length > width) {
    throw place.error(`${record.length} fields but the header has ${width}`);
  }
  const field = (column: Column): string => {
    const value = record[indexOf[column]];
    if (value === undefined) {
      throw place.error(
        `missing: the row has ${record.length} fields, the header ${width}`,
        column,
      );
    }
    if (value === '') throw place.error('no value', column);
    return value;
  };
  const price = (column: PriceColumn) => parsePrice(field(column), column, place);
  return {
    time: parseTime(field('time'), place),
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: parseVolume(field('volume'), place),
  };
}

function requireLater(bar: Bar, previous: Bar, previousLine: number, place: Place): void {
  if (bar.time > previous.time) return;
  const problem =
    bar.time === previous.time
      ? `is a duplicate of line ${previousLine}`
      : `is before line ${previousLine}'s ${new Date(previous.time).toISOString()}`;
  throw place.error(
    `${new Date(bar.time).toISOString()} ${problem}; rows must be sorted ascending with one row per time`,
    'time',
  );
}

function parseTime(text: string, place: Place): number {
  if (!isoTime.safeParse(text).success) {
    throw place.error('not an ISO-8601 time with a zone, e.g. 2024-01-01T00:00:00Z', 'time');
  }
  return Date.parse(text);
}

function parseNumber(text: string, column: Column, place: Place): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw place.error('not a number', column);
  return value;
}

function parsePrice(text: string, column: PriceColumn, place: Place): number {
  const price = parseNumber(text, column, place);
  if (!(price > 0)) throw place.error('a price must be positive', column);
  return price;
}

function parseVolume(text: string, place: Place): number {
  const volume = parseNumber(text, 'volume', place);
  if (volume < 0) throw place.error('a volume must not be negative', 'volume');
  return volume;
}
