import { cryptoSourceSpecSchema, type CryptoSourceSpecInput } from '@cryptoviz/resources';
import {
  HTTP_PROVIDER_ADAPTERS,
  createHttpProvider,
  parseSavedBody,
  tickSchema,
  type Clock,
  type HttpProviderName,
  type HttpProviderOptions,
  type HttpTickProvider,
  type PollResult,
  type SavedBodyOptions,
} from '@cryptoviz/market';
import { expect } from 'vitest';
import { readFixture } from '../fixture-server.ts';

/**
 * A clock tests drive: `sleep` advances time at once and records how long it was asked to
 * wait, so rate-limit pauses and breaker cool-downs are checked without waiting.
 */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.now()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Small delays and limits so failure paths finish in milliseconds. */
export function fastOptions(
  clock: Clock,
  overrides: HttpProviderOptions = {},
): HttpProviderOptions {
  return {
    clock,
    timeoutMs: 2_000,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    ...overrides,
  };
}

export interface TestProvider {
  provider: HttpTickProvider;
  clock: ManualClock;
}

export function makeProvider(
  name: HttpProviderName,
  spec: Omit<CryptoSourceSpecInput, 'provider'>,
  options: { apiKey?: string; clock?: ManualClock; http?: HttpProviderOptions } = {},
): TestProvider {
  const clock = options.clock ?? new ManualClock();
  const parsedSpec = cryptoSourceSpecSchema.parse({ provider: name, ...spec });
  const provider = createHttpProvider(
    HTTP_PROVIDER_ADAPTERS[name],
    { source: `default/${name}-test`, spec: parsedSpec, apiKey: options.apiKey },
    fastOptions(clock, options.http),
  );
  return { provider, clock };
}

export function parseFixture(
  name: HttpProviderName,
  fixture: string,
  options: Partial<SavedBodyOptions> = {},
) {
  return parseSavedBody(HTTP_PROVIDER_ADAPTERS[name], readFixture(`${name}/${fixture}`), {
    quote: 'USD',
    ...options,
  });
}

/** Whatever happened, every tick that came out must satisfy the Tick schema. */
export function expectValidTicks(result: PollResult): void {
  for (const tick of result.ticks) expect(tickSchema.safeParse(tick).success).toBe(true);
}

export const signal = () => AbortSignal.timeout(20_000);
