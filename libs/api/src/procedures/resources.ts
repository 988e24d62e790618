import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { listHeartbeats } from '@cryptoviz/bus';
import {
  API_VERSION,
  formatIssues,
  parseResourceKey,
  resourceKeyOf,
  resourceSchemas,
  type Resource,
  type ResourceKind,
} from '@cryptoviz/resources';
import { latestPredictions, sourceFreshness } from '@cryptoviz/store';
import { keyHere, resourceKeyInput, resourceName } from '../inputs.ts';
import { observeStatus, type ObservedStatus } from '../resources/observed-status.ts';
import { replayFileProblems } from '../resources/replay-files.ts';
import {
  describeResource,
  ResourceConflictError,
  ResourceNotFoundError,
  ResourceRejectedError,
} from '../resources/resource-store.ts';
import type { GatewayDeps } from '../context.ts';
import { adminProcedure, publicProcedure, router } from '../trpc.ts';

const kind = z.enum(Object.keys(resourceSchemas) as [ResourceKind, ...ResourceKind[]]);

export interface ResourceView {
  resource: Resource;
  observed: ObservedStatus;
}

/**
 * A manifest as a client sends it; the kind's own schema (the CRD's) validates it in the
 * procedure, so the error names every bad field of that kind.
 */
const manifestInput = z.strictObject({
  manifest: z.looseObject({
    kind,
    metadata: z.looseObject({ name: resourceName, namespace: resourceName.optional() }),
  }),
});

/** One resource by its key `namespace/name`, or a bare name (of the store's namespace). */
const resourceInput = z.strictObject({ kind, key: resourceKeyInput });

/**
 * Some refinements of the resource schemas throw on input an earlier check already refused
 * (a duration parser fed a non-duration); that is still the client's bad input, not a 500.
 */
function safeParseResource(manifest: z.output<typeof manifestInput>['manifest']) {
  try {
    return resourceSchemas[manifest.kind].safeParse({ apiVersion: API_VERSION, ...manifest });
  } catch (err) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${manifest.kind} "${manifest.metadata.name}" is invalid: ${(err as Error).message}`,
    });
  }
}

async function validate(
  manifest: z.output<typeof manifestInput>['manifest'],
  dataDir: string | undefined,
): Promise<Resource> {
  const invalid = (problems: string) =>
    new TRPCError({
      code: 'BAD_REQUEST',
      message: `${manifest.kind} "${manifest.metadata.name}" is invalid: ${problems}`,
    });
  const result = safeParseResource(manifest);
  if (!result.success) throw invalid(formatIssues(result.error));
  const { metadata, spec } = result.data;
  if (dataDir) {
    const problems = await replayFileProblems(result.data, dataDir);
    if (problems.length > 0) throw invalid(problems.join('; '));
  }
  // What is kept on disk: the spec and the user's labels, never a client-sent status.
  return {
    apiVersion: API_VERSION,
    kind: manifest.kind,
    metadata: {
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    spec,
  } as Resource;
}

/** A store's refusal of a ref (a namespace it does not serve) names `field`, the input at fault. */
function storeErrors<T>(work: () => Promise<T>, field?: string): Promise<T> {
  return work().catch((err: unknown) => {
    if (err instanceof ResourceNotFoundError) {
      throw new TRPCError({ code: 'NOT_FOUND', message: err.message });
    }
    if (err instanceof ResourceConflictError) {
      throw new TRPCError({ code: 'CONFLICT', message: err.message });
    }
    if (err instanceof ResourceRejectedError) {
      const message = field ? `${field}: ${err.message}` : err.message;
      throw new TRPCError({ code: 'BAD_REQUEST', message });
    }
    throw err;
  });
}

/** A create or an update through the store; the live views' listing is dropped at once. */
async function save(
  deps: GatewayDeps,
  manifest: z.output<typeof manifestInput>['manifest'],
  how: 'create' | 'update',
): Promise<Resource> {
  const resource = await validate(manifest, deps.dataDir);
  const saved = await storeErrors(() => deps.resources[how](resource));
  deps.declared.invalidate();
  deps.log.info({ kind: saved.kind, key: resourceKeyOf(saved) }, `resource ${how}d`);
  return saved;
}

export const resourcesRouter = router({
  /** Every CryptoSource and PredictionModel with its observed status. */
  list: publicProcedure.query(async ({ ctx }) => {
    const [listing, beats, freshness, predictions] = await Promise.all([
      ctx.deps.resources.list(),
      listHeartbeats(ctx.deps.heartbeats).catch(() => []),
      sourceFreshness(ctx.deps.pool),
      latestPredictions(ctx.deps.pool),
    ]);
    const lastTick = new Map(freshness.map((f) => [f.source, f.lastReceivedAt]));
    const lastForecast = new Map<string, string>();
    for (const p of predictions) {
      const seen = lastForecast.get(p.model);
      if (!seen || seen < p.madeAt) lastForecast.set(p.model, p.madeAt);
    }
    const view = (resource: Resource): ResourceView => {
      const key = resourceKeyOf(resource);
      const last =
        (resource.kind === 'CryptoSource' ? lastTick.get(key) : lastForecast.get(key)) ?? null;
      return { resource, observed: observeStatus(resource, beats, last) };
    };
    return {
      backend: ctx.deps.resources.backend,
      sources: listing.resources.filter((r) => r.kind === 'CryptoSource').map(view),
      models: listing.resources.filter((r) => r.kind === 'PredictionModel').map(view),
      errors: listing.errors,
    };
  }),

  /**
   * The current namespace (kubectl's): what a bare name means here, so a client shows the keys
   * of this namespace as bare names and what it shows can be typed back.
   */
  namespace: publicProcedure.query(({ ctx }) => ({ namespace: ctx.deps.resources.namespace })),

  get: publicProcedure.input(resourceInput).query(async ({ ctx, input }) => {
    const { resources } = ctx.deps;
    const ref = parseResourceKey(keyHere(ctx.deps, input.key));
    const found = await storeErrors(() => resources.get(input.kind, ref), 'key');
    if (!found) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `${describeResource(input.kind, ref, resources.namespace)} does not exist`,
      });
    }
    return found;
  }),

  create: adminProcedure
    .input(manifestInput)
    .mutation(({ ctx, input }) => save(ctx.deps, input.manifest, 'create')),

  update: adminProcedure
    .input(manifestInput)
    .mutation(({ ctx, input }) => save(ctx.deps, input.manifest, 'update')),

  delete: adminProcedure.input(resourceInput).mutation(async ({ ctx, input }) => {
    const key = keyHere(ctx.deps, input.key);
    await storeErrors(() => ctx.deps.resources.delete(input.kind, parseResourceKey(key)), 'key');
    // Its data leaves the live views with the next query, not a listing age later.
    ctx.deps.declared.invalidate();
    ctx.deps.log.info({ kind: input.kind, key }, 'resource deleted');
    return { deleted: true as const };
  }),
});
