import { tracked } from '@trpc/server';
import { z } from 'zod';
import { decodeJson, decodeTicks } from '@cryptoviz/bus';
import { predictionRecordSchema } from '@cryptoviz/forecast';
import type { Context } from '../context.ts';
import { keyList, keysHere, lastEventId, lastTickEventId, symbolList } from '../inputs.ts';
import { collectPipelineHealth } from '../health/pipeline-health.ts';
import { readStream } from '../live/stream-reader.ts';
import { isDeclaredForecast, isDeclaredSource } from '../resources/declared-resources.ts';
import { selectSubjects, type SubjectSelection } from '../live/subject-filter.ts';
import { isAuthenticated, publicProcedure, router } from '../trpc.ts';
import { toSignal } from './signals.ts';

const HEALTH_EVERY_MS = 5_000;

function subjectPrefix(ctx: Context): string {
  return ctx.deps.topo.namespace ? `${ctx.deps.topo.namespace}.` : '';
}

/**
 * Messages of one stream from `lastEventId` on (or from now), selected by subject, each with
 * its stream sequence: the event id an SSE client sends back as Last-Event-ID to resume.
 */
async function* liveMessages(
  ctx: Context,
  stream: string,
  selection: SubjectSelection,
  afterSeq: number | null | undefined,
  signal: AbortSignal | undefined,
) {
  const release = ctx.deps.subscriptions.acquire(ctx.client);
  try {
    // What is declared is known before the first message is filtered by it.
    await ctx.deps.declared.read();
    // Leaving this loop (client gone, generator returned) closes the reader and its consumer.
    for await (const msg of readStream(ctx.deps.js, ctx.deps.jsm, {
      stream,
      filter: selection.filter,
      // 0 is a real position: the first message of a stream, re-read for its later ticks.
      ...(afterSeq === null || afterSeq === undefined ? {} : { afterSeq }),
      maxReplay: ctx.deps.limits.maxReplay,
      signal: signal ?? new AbortController().signal,
    })) {
      if (selection.matches(msg.subject)) yield msg;
    }
  } finally {
    release();
  }
}

/** Forecast subscriptions narrow by model and symbol, and resume from an event id. */
const forecastSelection = z
  .strictObject({
    models: keyList.optional(),
    symbols: symbolList.optional(),
    lastEventId,
  })
  .default({});

/**
 * Forecasts of the predictions stream that decode, each with the event id to resume from;
 * one that does not decode is passed over rather than ending the subscription.
 */
async function* liveForecasts(
  ctx: Context,
  input: z.output<typeof forecastSelection>,
  signal: AbortSignal | undefined,
) {
  const selection = selectSubjects(
    subjectPrefix(ctx),
    'predictions',
    keysHere(ctx.deps, input.models),
    input.symbols,
  );
  const stream = ctx.deps.topo.streams.predictions;
  for await (const msg of liveMessages(ctx, stream, selection, input.lastEventId, signal)) {
    const prediction = decodeJson(predictionRecordSchema, msg.data);
    if (!prediction.ok) continue;
    // A resumed stream replays what a deleted model or source published before it went.
    if (!isDeclaredForecast(ctx.deps.declared.current(), prediction.value)) continue;
    yield { eventId: String(msg.seq), prediction: prediction.value };
  }
}

export const liveRouter = router({
  /** Ticks of declared sources as they enter the TICKS stream. */
  ticks: publicProcedure
    .input(
      z
        .strictObject({
          symbols: symbolList.optional(),
          sources: keyList.optional(),
          lastEventId: lastTickEventId,
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const selection = selectSubjects(
        subjectPrefix(ctx),
        'ticks',
        keysHere(ctx.deps, input.sources),
        input.symbols,
      );
      const stream = ctx.deps.topo.streams.ticks;
      const after = input.lastEventId;
      // Part of a message was seen: read that message again, for the rest of it.
      const afterSeq = after && (after.index === undefined ? after.seq : after.seq - 1);
      for await (const msg of liveMessages(ctx, stream, selection, afterSeq, signal)) {
        const { ticks } = decodeTicks(ctx.deps.topo, msg.subject, msg.data);
        const declared = ctx.deps.declared.current();
        for (const [index, tick] of ticks.entries()) {
          if (after?.index !== undefined && msg.seq === after.seq && index <= after.index) continue;
          if (!isDeclaredSource(declared, tick.source)) continue;
          yield tracked(ticks.length === 1 ? String(msg.seq) : `${msg.seq}:${index}`, tick);
        }
      }
    }),

  /** Forecasts of declared models on declared sources as the predictors publish them. */
  predictions: publicProcedure.input(forecastSelection).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    for await (const { eventId, prediction } of liveForecasts(ctx, input, signal)) {
      yield tracked(eventId, prediction);
    }
  }),

  /** BUY/SELL/HOLD calls with their confidence, as forecasts arrive. */
  signals: publicProcedure.input(forecastSelection).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    for await (const { eventId, prediction } of liveForecasts(ctx, input, signal)) {
      yield tracked(eventId, toSignal(prediction));
    }
  }),

  /** The pipeline-health snapshot, pushed every few seconds (a snapshot has no history to resume). */
  health: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const release = ctx.deps.subscriptions.acquire(ctx.client);
    const viewer = { authenticated: isAuthenticated(ctx) };
    try {
      while (!signal?.aborted) {
        yield await collectPipelineHealth(ctx.deps, viewer);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, HEALTH_EVERY_MS);
          signal?.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    } finally {
      release();
    }
  }),
});
