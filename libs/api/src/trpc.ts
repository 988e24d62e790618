import { createHash, timingSafeEqual } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { formatIssues } from '@cryptoviz/resources';
import type { Context } from './context.ts';

/** Longest error message a client sees: a huge bad input must not come back as a huge error. */
const MAX_MESSAGE_CHARS = 500;

const t = initTRPC.context<Context>().create({
  // No stack traces or internals in responses, whatever NODE_ENV says.
  isDev: false,
  sse: {
    // Ping comments keep proxies from closing idle streams; the client reconnects (with
    // Last-Event-ID) when it hears nothing for a while.
    ping: { enabled: true, intervalMs: 5_000 },
    client: { reconnectAfterInactivityMs: 15_000 },
  },
  errorFormatter({ shape, error }) {
    let message = shape.message;
    if (error.cause instanceof ZodError) {
      message = `invalid input: ${formatIssues(error.cause)}`;
    } else if (error.code === 'INTERNAL_SERVER_ERROR') {
      // Whatever failed inside (a database, NATS), its text stays in our logs.
      message = 'internal error';
    }
    if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message, data };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison: the time a refusal takes says nothing about the token. */
export function tokenMatches(presented: string | null, expected: string | undefined): boolean {
  if (!presented || !expected) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Whether the request presented the gateway's token (public procedures may show it more). */
export function isAuthenticated(ctx: Context): boolean {
  return tokenMatches(ctx.bearer, ctx.deps.token);
}

/** Mutations: only with `Authorization: Bearer $GATEWAY_TOKEN`, checked before the input is. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.deps.token) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'this gateway is read-only (no GATEWAY_TOKEN configured)',
    });
  }
  if (!ctx.bearer) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a bearer token is required' });
  }
  if (!tokenMatches(ctx.bearer, ctx.deps.token)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'the bearer token is not valid' });
  }
  return next();
});
