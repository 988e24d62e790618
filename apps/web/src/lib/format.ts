/**
 * Decimals that keep about five significant digits of a price: 1 above 1,000, 2 above 1, more
 * below (0.084312 → 6), so a cheap coin's prices and chart axis do not all read "0.08".
 */
export function priceDecimals(price: number): number {
  const abs = Math.abs(price);
  if (!(abs > 0) || !Number.isFinite(abs)) return 2;
  return abs >= 1000 ? 1 : abs >= 1 ? 2 : Math.min(8, 4 - Math.floor(Math.log10(abs)));
}

/** Prices keep about five significant digits: 64,213.1 · 3,012.55 · 0.084312. */
export function formatPrice(price: number | null | undefined): string {
  if (price === null || price === undefined || !Number.isFinite(price)) return '—';
  const digits = priceDecimals(price);
  return price.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}%`;
}

/** A fraction as an unsigned share: 0.64 → "64%" (win rates, exposure, hit rates). */
export function formatShare(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/**
 * "p = 0.003", "p = 0.41", "p < 0.001": two significant digits, since a p-value's third is noise,
 * and no "p = 0.000", which would claim certainty no test gives.
 */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'p —';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`;
}

export function formatBps(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '—';
  return `${bps > 0 ? '+' : ''}${bps.toFixed(1)} bp`;
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return '—';
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** "4 s", "3 min", "2 h", "5 d": a length of time, to the unit that reads best. */
export function formatSpan(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** "4 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'never';
  return `${formatSpan(seconds)} ago`;
}

/**
 * A horizon as shown and as the gateway's duration inputs take it, exactly: 1h, 15m, 90s (a
 * 90 s horizon asked for as "2m" would find no forecasts).
 */
export function formatHorizon(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** Whether a time falls in another UTC year than `nowMs`: its date then needs the year. */
export function otherYear(timeMs: number, nowMs = Date.now()): boolean {
  return new Date(timeMs).getUTCFullYear() !== new Date(nowMs).getUTCFullYear();
}

/**
 * "15 Dec, 12:00:05" this year, "15 Dec 2018, 12:00:05" any other: a replay's market time
 * must not pass for this December's.
 */
export function formatTime(iso: string, nowMs = Date.now()): string {
  const time = Date.parse(iso);
  return new Date(time).toLocaleString('en-GB', {
    ...(otherYear(time, nowMs) ? { year: 'numeric' } : {}),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'UTC',
  });
}

/** The Database card's line: which flavor, and on TimescaleDB its chunks and compression. */
export function formatStorage(database: {
  flavor: string;
  chunks: number | null;
  compressedChunks: number | null;
  compressionRatio: number | null;
}): string {
  if (database.flavor !== 'timescaledb') return 'PostgreSQL';
  const chunks = `${database.chunks ?? '—'} chunk${database.chunks === 1 ? '' : 's'}`;
  const compression =
    database.compressionRatio && database.compressedChunks
      ? `${database.compressionRatio.toFixed(1)}× compressed (${database.compressedChunks})`
      : 'none compressed yet';
  return `TimescaleDB · ${chunks} · ${compression}`;
}
