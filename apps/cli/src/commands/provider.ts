import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  HTTP_PROVIDER_ADAPTERS,
  ProviderError,
  createHttpProvider,
  isHttpProvider,
  parseSavedBody,
  type HttpProviderName,
  type PollResult,
  type SkippedTick,
} from '@cryptoviz/market';
import {
  cryptoSourceSpecSchema,
  formatIssues,
  parseDuration,
  resourceInputSchema,
  symbolSchema,
} from '@cryptoviz/resources';
import { createScrubber } from '@cryptoviz/runtime';

/** A mistake in how the command was called (exit 2), as opposed to a provider's answer (exit 1). */
class UsageError extends Error {}

interface SharedFlags {
  symbols?: string;
  quote: string;
  source?: string;
}

interface ParseFlags extends SharedFlags {
  interval?: string;
}

interface FetchFlags extends SharedFlags {
  endpoint?: string;
  backfill?: string;
  timeout: string;
}

/** The providers this command knows, as its help and its errors name them. */
const HTTP_PROVIDER_LIST = Object.keys(HTTP_PROVIDER_ADAPTERS).join(', ');

const CONTRACT =
  '\nOutput: stdout carries exactly one JSON document: the array of ticks, or on a provider\n' +
  'error {"error":{"kind":...,"message":...}} with exit code 1. stderr gets one line per\n' +
  'skipped entry and a summary. Usage mistakes exit 2 with a message on stderr.';

export function register(program: Command): void {
  const provider = program
    .command('provider')
    .description('read market data the way a CryptoSource does: saved payloads or live calls');

  provider
    .command('parse')
    .description('normalize a saved provider response body into ticks')
    .argument('<provider>', HTTP_PROVIDER_LIST)
    .argument('<file>', 'the response body as saved (JSON)')
    .option('--symbols <list>', 'our symbols the request named, e.g. BTC,ETH')
    .option('--quote <symbol>', 'the quote currency the request used', 'USD')
    .option('--interval <duration>', 'candle interval, for candle payloads with one row (1m, 1h)')
    .option(
      '--source <key>',
      'the ticks’ source, namespace/name or a name in default (default: the provider name)',
    )
    .addHelpText(
      'after',
      `${CONTRACT}\n\nExamples:\n` +
        '  cryptoviz provider parse coingecko simple-price.json\n' +
        '  cryptoviz provider parse coinbase ticker.json --symbols BTC\n' +
        '  cryptoviz provider parse kraken ohlc.json --quote USDT',
    )
    .action((name: string, file: string, flags: ParseFlags) =>
      respond('parse', () => parseCommand(name, file, flags)),
    );

  provider
    .command('fetch')
    .description('poll a provider once (API key from CRYPTOVIZ_API_KEY, never printed)')
    .argument('<provider>', HTTP_PROVIDER_LIST)
    .requiredOption('--symbols <list>', 'our symbols, e.g. BTC,ETH')
    .option('--quote <symbol>', 'the quote currency', 'USD')
    .option('--endpoint <url>', 'base URL instead of the provider’s own')
    .option('--backfill <hours>', 'fetch this many hours of candles instead of the latest prices')
    .option('--timeout <duration>', 'per-request timeout', '10s')
    .option(
      '--source <key>',
      'the ticks’ source, namespace/name or a name in default (default: the provider name)',
    )
    .addHelpText(
      'after',
      `${CONTRACT}\n\nExamples:\n` +
        '  cryptoviz provider fetch kraken --symbols BTC,ETH\n' +
        '  CRYPTOVIZ_API_KEY=... cryptoviz provider fetch coinmarketcap --symbols BTC',
    )
    .action((name: string, flags: FetchFlags) => respond('fetch', () => fetchCommand(name, flags)));
}

/** Prints the outcome under the output contract and sets the exit code. */
async function respond(
  command: string,
  run: () => Promise<PollResult & { shape?: string }>,
): Promise<void> {
  const scrub = createScrubber([process.env.CRYPTOVIZ_API_KEY]);
  try {
    const result = await run();
    for (const line of skippedLines(result.skipped)) process.stderr.write(`${scrub(line)}\n`);
    const what = result.shape ? `${result.shape}: ` : '';
    const count = result.ticks.length;
    process.stderr.write(
      `${what}${count} tick${count === 1 ? '' : 's'}, ${result.skipped.length} skipped\n`,
    );
    process.stdout.write(`${JSON.stringify(result.ticks, null, 2)}\n`);
  } catch (error) {
    if (error instanceof ProviderError) {
      const body = { error: { kind: error.kind, message: scrub(error.message) } };
      process.stdout.write(`${JSON.stringify(body)}\n`);
      process.exitCode = 1;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cryptoviz provider ${command}: ${scrub(message)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

function skippedLines(skipped: readonly SkippedTick[]): string[] {
  return skipped.map((entry) => `skipped ${entry.symbol ?? '(no symbol)'}: ${entry.reason}`);
}

async function parseCommand(name: string, file: string, flags: ParseFlags) {
  const provider = providerName(name);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const now = Date.now();
  const result = parseSavedBody(HTTP_PROVIDER_ADAPTERS[provider], text, {
    source: sourceName(flags.source, provider),
    quote: symbol(flags.quote, '--quote'),
    symbols: flags.symbols === undefined ? undefined : symbolList(flags.symbols),
    candleIntervalMs:
      flags.interval === undefined ? undefined : duration(flags.interval, '--interval'),
    now,
  });
  // A live poll stamps such ticks with when they arrived; for a saved file that is only when
  // it was parsed, which the reader should know.
  const stamped = result.ticks.filter((tick) => Date.parse(tick.time) === now).length;
  if (stamped > 0) {
    process.stderr.write(
      `note: the payload gives no time for ${stamped} tick${stamped === 1 ? '' : 's'}; stamped with the time of parsing\n`,
    );
  }
  return result;
}

async function fetchCommand(name: string, flags: FetchFlags): Promise<PollResult> {
  const provider = providerName(name);
  const spec = cryptoSourceSpecSchema.safeParse({
    provider,
    symbols: symbolList(flags.symbols ?? ''),
    quote: symbol(flags.quote, '--quote'),
    endpoint: flags.endpoint,
  });
  if (!spec.success) throw new UsageError(formatIssues(spec.error));
  const source = createHttpProvider(
    HTTP_PROVIDER_ADAPTERS[provider],
    {
      source: sourceName(flags.source, provider),
      spec: spec.data,
      apiKey: process.env.CRYPTOVIZ_API_KEY || undefined,
    },
    // One attempt of the CLI should not sit out a long rate-limit pause.
    { timeoutMs: duration(flags.timeout, '--timeout'), maxRateLimitWaitMs: 5_000 },
  );
  const signal = AbortSignal.timeout(5 * 60_000);
  if (flags.backfill === undefined) return source.poll(signal);
  const hours = Number(flags.backfill);
  if (!Number.isInteger(hours) || hours < 1) {
    throw new UsageError('--backfill must be a whole number of hours, at least 1');
  }
  if (!source.backfill) throw new UsageError(`${provider} has no candle history to backfill from`);
  return source.backfill(hours, signal);
}

function providerName(name: string): HttpProviderName {
  if (isHttpProvider(name)) return name;
  throw new UsageError(`unknown provider "${name}" (one of ${HTTP_PROVIDER_LIST})`);
}

function symbol(text: string, flag: string): string {
  const parsed = symbolSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`${flag} ${text}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

function symbolList(text: string): string[] {
  const symbols = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => symbol(part, '--symbols'));
  if (symbols.length === 0) throw new UsageError('--symbols names no symbol');
  if (new Set(symbols).size !== symbols.length) throw new UsageError('--symbols repeats a symbol');
  return symbols;
}

/** The ticks' source as a key: `namespace/name`, or a name (of the `default` namespace). */
function sourceName(text: string | undefined, provider: HttpProviderName): string {
  const name = text ?? provider;
  const parsed = resourceInputSchema.safeParse(name);
  if (!parsed.success) throw new UsageError(`--source ${name}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}
