import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCClient,
} from '@trpc/client';
import type { ApiOutputs, AppRouter } from '@cryptoviz/api';

export type { ApiOutputs };

/** The gateway's API, same origin: the web server (or an ingress) routes /trpc to it. */
export const API_PATH = '/trpc';

let adminToken: string | null = null;

/**
 * The bearer token mutations carry: sent as a header, never in the URL. This module keeps it in
 * memory; the Resources page also keeps it in sessionStorage, so it lasts for the tab only.
 */
export function setAdminToken(token: string | null): void {
  adminToken = token?.trim() || null;
}

export function createApiClient(url = API_PATH): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // SSE: the browser's EventSource reconnects by itself and sends Last-Event-ID, so a
        // live view resumes where it left off.
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({
          url,
          headers: () => (adminToken ? { authorization: `Bearer ${adminToken}` } : {}),
        }),
      }),
    ],
  });
}

export const api: TRPCClient<AppRouter> = createApiClient();

/** A message a person can act on, from whatever a call failed with. */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: string } | undefined)?.code;
    if (code === 'UNAUTHORIZED') return 'A token is required for changes.';
    if (code === 'FORBIDDEN') return err.message;
    return err.message || 'The gateway refused the request.';
  }
  return err instanceof Error ? err.message : String(err);
}
