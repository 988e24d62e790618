import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import {
  resourceInputSchema,
  resourceInputSchemaIn,
  resourceNameSchema,
  symbolSchema,
} from '@cryptoviz/resources';
import type { GatewayDeps } from './context.ts';
import type { QueryLimits } from './query-limits.ts';

/**
 * Input schemas shared by procedures. Every string is bounded and shaped before it can reach
 * a query, so nothing a client sends becomes a database error.
 */
export const symbol = symbolSchema;
/** A resource's name (DNS-1123 label, ≤ 63 characters): the resource procedures' own. */
export const resourceName = z.string().max(63).pipe(resourceNameSchema);
/** A source or model as a person typed it, checked but not yet read as a key: see `keyHere`. */
export interface TypedResource {
  readonly typed: string;
}

/**
 * A source or model whose data a query reads, by its key `namespace/name` or a bare name. Which
 * key a bare name means depends on the gateway (its store's namespace), which a schema does not
 * see: it is checked here, so an error names the field, and read in the procedure
 * (`keyHere`). Being no string until then, it cannot reach a query unread.
 */
export const resourceKeyInput = z.string().transform((typed, ctx): TypedResource => {
  // A bare name is valid in one namespace if in any: `default` stands for all of them.
  for (const issue of resourceInputSchema.safeParse(typed).error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', message: issue.message });
  }
  return { typed };
});

/** The key a typed resource means at this gateway: a bare name is one of its store's namespace. */
export function keyHere(deps: GatewayDeps, resource: TypedResource): string {
  return resourceInputSchemaIn(deps.resources.namespace).parse(resource.typed);
}

/** {@link keyHere} of each, an absent list staying absent. */
export function keysHere(
  deps: GatewayDeps,
  resources: readonly TypedResource[] | undefined,
): string[] | undefined {
  return resources?.map((resource) => keyHere(deps, resource));
}

const MAX_LIST = 100;
export const symbolList = z.array(symbol).min(1).max(MAX_LIST);
export const keyList = z.array(resourceKeyInput).min(1).max(MAX_LIST);

export const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 time such as 2026-11-22T10:00:00Z' })
  .transform((text) => new Date(text));

/**
 * A forecast horizon in seconds, as forecasts carry it (`horizonS`): a 90 s horizon is 90,
 * never a name that could round it to 2m.
 */
export const horizonS = z
  .number()
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1 second')
  .max(31_622_400, 'must be at most 366 days');

/** The last event a client saw (SSE Last-Event-ID): a stream sequence. */
export const lastEventId = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'must be a stream sequence number')
  .transform(Number)
  .nullish();

/**
 * The last tick a client saw: a stream sequence, and for a tick that shared its message with
 * others, its place in that message (`1234:7`).
 */
export const lastTickEventId = z
  .string()
  .regex(/^[1-9]\d{0,15}(:\d{1,3})?$/, 'must be a stream sequence number (with :index for a tick)')
  .transform((id) => {
    const [seq, index] = id.split(':');
    return { seq: Number(seq), index: index === undefined ? undefined : Number(index) };
  })
  .nullish();

/** `from` and `to` fields for an input object; pair with `fromBeforeTo`. */
export const rangeShape = { from: instant, to: instant };

export function fromBeforeTo(r: { from: Date; to: Date }): boolean {
  return r.from < r.to;
}
export const fromBeforeToMessage = { message: 'from must be before to', path: ['from'] };

/** Ranges are bounded by configuration: checked before any query runs. */
export function assertRangeWithin(r: { from: Date; to: Date }, limits: QueryLimits): void {
  const spanMs = r.to.getTime() - r.from.getTime();
  if (spanMs > limits.maxRangeMs) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `range too large: from and to are ${Math.ceil(spanMs / 86_400_000)} days apart, at most ${limits.maxRangeMs / 86_400_000} allowed`,
    });
  }
}

export function assertRowsWithin(rows: number, limits: QueryLimits, what: string): void {
  if (rows > limits.maxRows) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `range too large: from and to span ${rows} ${what}, at most ${limits.maxRows} per query; narrow from and to, or use a coarser interval`,
    });
  }
}
