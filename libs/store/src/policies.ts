import { z } from 'zod';
import type pg from 'pg';
import { CANDLE_INTERVALS, type CandleInterval } from './candles.ts';

const days = z.coerce.number().int().min(0).max(36_500);

export interface StoragePolicy {
  ticksRetentionDays: number;
  compressAfterDays: number;
}

export const DEFAULT_STORAGE_POLICY: StoragePolicy = {
  ticksRetentionDays: 90,
  compressAfterDays: 7,
};

/**
 * The storage policies, declared in one place: the environment of `cryptoviz migrate` (the
 * Helm chart's migrate Job gets them from values). TimescaleDB only; `0` turns one off.
 * Both count from when a chunk of ticks was written, not from the market time it holds: a
 * replay of 2017 is as new as the day it arrived, so it is neither dropped nor compressed on
 * arrival.
 */
export const storagePolicyEnv = {
  /** Drop tick chunks this many days after they were written (0 keeps everything). */
  TICKS_RETENTION_DAYS: days.default(DEFAULT_STORAGE_POLICY.ticksRetentionDays),
  /** Compress tick chunks this many days after they were written (0 never). */
  TICKS_COMPRESS_AFTER_DAYS: days.default(DEFAULT_STORAGE_POLICY.compressAfterDays),
};

/** A policy that makes sense, or an error naming the variables to change. */
export function checkStoragePolicy(policy: StoragePolicy): StoragePolicy {
  const { ticksRetentionDays: keep, compressAfterDays: compress } = policy;
  for (const [name, value] of [
    ['TICKS_RETENTION_DAYS', keep],
    ['TICKS_COMPRESS_AFTER_DAYS', compress],
  ] as const) {
    if (!days.safeParse(value).success) {
      throw new Error(`${name}: ${value} is not a whole number of days from 0 to 36500`);
    }
  }
  if (keep > 0 && compress > 0 && keep <= compress) {
    throw new Error(
      `TICKS_RETENTION_DAYS (${keep}) must be longer than TICKS_COMPRESS_AFTER_DAYS (${compress}): ` +
        'ticks would be dropped before they are ever compressed. Raise TICKS_RETENTION_DAYS, ' +
        'lower TICKS_COMPRESS_AFTER_DAYS, or set either to 0 (off).',
    );
  }
  return policy;
}

/** How often each candle aggregate is refreshed, and how close to now. */
const CANDLE_REFRESH: Record<CandleInterval, { endOffset: string; every: string }> = {
  '1m': { endOffset: '1 minute', every: '1 minute' },
  '1h': { endOffset: '1 hour', every: '15 minutes' },
  '1d': { endOffset: '1 day', every: '1 hour' },
};

interface DesiredJob {
  /** What the log calls it. */
  name: string;
  proc: 'policy_retention' | 'policy_compression' | 'policy_refresh_continuous_aggregate';
  /** The hypertable or continuous aggregate the job belongs to. */
  relation: string;
  /** The config keys we own, as SQL producing jsonb (null: the job must not exist). */
  config: string | null;
  /** Only what we own is replaced: keys TimescaleDB adds are kept. */
  replaces: string[];
  add: string;
  schedule?: string;
}

function desiredJobs(policy: StoragePolicy): DesiredJob[] {
  const keep = policy.ticksRetentionDays;
  const compress = policy.compressAfterDays;
  return [
    {
      name: 'retention of ticks',
      proc: 'policy_retention',
      relation: 'ticks',
      config:
        keep > 0 ? `jsonb_build_object('drop_created_before', '${keep} days'::interval)` : null,
      replaces: ['drop_after', 'drop_created_before'],
      add: `SELECT add_retention_policy('ticks', drop_created_before => '${keep} days'::interval)`,
    },
    {
      name: 'compression of ticks',
      proc: 'policy_compression',
      relation: 'ticks',
      config:
        compress > 0
          ? `jsonb_build_object('compress_created_before', '${compress} days'::interval)`
          : null,
      replaces: ['compress_after', 'compress_created_before'],
      add: `SELECT add_compression_policy('ticks', compress_created_before => '${compress} days'::interval)`,
    },
    // From the beginning of time (start_offset null): a refresh only does work where ticks
    // changed, and a window that started later would leave history, gap-fills and replays
    // out of the candles once the watermark passed them.
    ...(Object.keys(CANDLE_INTERVALS) as CandleInterval[]).map((interval) => {
      const { endOffset, every } = CANDLE_REFRESH[interval];
      return {
        name: `refresh of candles_${interval}`,
        proc: 'policy_refresh_continuous_aggregate' as const,
        relation: `candles_${interval}`,
        config: `jsonb_build_object('start_offset', null, 'end_offset', '${endOffset}'::interval)`,
        replaces: ['start_offset', 'end_offset'],
        schedule: every,
        add: `SELECT add_continuous_aggregate_policy('candles_${interval}', start_offset => NULL,
                end_offset => '${endOffset}'::interval, schedule_interval => '${every}'::interval)`,
      };
    }),
  ];
}

/**
 * Makes the TimescaleDB jobs what `policy` declares: a job is added when missing, altered
 * (only the keys we own) when it differs, removed when turned off, and left alone when it
 * already matches — never dropped and added again. Returns what changed, for the log.
 */
export async function reconcilePolicies(
  client: pg.ClientBase,
  policy: StoragePolicy,
): Promise<string[]> {
  const changes: string[] = [];
  for (const job of desiredJobs(checkStoragePolicy(policy))) {
    const existing = await client.query<{ job_id: number; matches: boolean; config: unknown }>(
      `SELECT job_id, config,
              ${job.config ? `config @> ${job.config}` : 'false'}
                ${job.schedule ? `AND schedule_interval = '${job.schedule}'::interval` : ''} AS matches
       FROM timescaledb_information.jobs
       WHERE proc_name = $1 AND hypertable_schema = current_schema() AND hypertable_name = $2
       ORDER BY job_id`,
      [job.proc, job.relation],
    );
    const [first, ...extra] = existing.rows;
    // More than one is what racing migrations of old left behind: one is enough.
    for (const duplicate of extra) {
      await client.query('SELECT delete_job($1)', [duplicate.job_id]);
      changes.push(`${job.name}: removed duplicate job ${duplicate.job_id}`);
    }
    if (!job.config) {
      if (first) {
        await client.query('SELECT delete_job($1)', [first.job_id]);
        changes.push(`${job.name}: off (job ${first.job_id} removed)`);
      }
    } else if (!first) {
      await client.query(job.add);
      changes.push(`${job.name}: added`);
    } else if (!first.matches) {
      await client.query(
        `SELECT alter_job($1, config => (config - $2::text[]) || ${job.config}
                ${job.schedule ? `, schedule_interval => '${job.schedule}'::interval` : ''})
         FROM timescaledb_information.jobs WHERE job_id = $1`,
        [first.job_id, job.replaces],
      );
      changes.push(`${job.name}: changed (was ${JSON.stringify(first.config)})`);
    }
  }
  return changes;
}
