import { derived, writable } from 'svelte/store';
import { DEFAULT_NAMESPACE, labelIn } from '@cryptoviz/resources/label';
import { api } from './api.ts';

const RETRY_MS = 5_000;

/** The gateway's current namespace: `default` locally, its release's in a cluster. */
const namespace = writable(DEFAULT_NAMESPACE);

/**
 * How a key is shown: as a person types it at this gateway, the name alone in its namespace,
 * so what is shown can be typed back (`labelIn`). Keys in data attributes and picker values
 * stay whole.
 */
export const resourceLabel = derived(namespace, labelIn);

type Ask = () => Promise<{ namespace: string }>;

/**
 * Asks the gateway its namespace once. Until it answers, keys show as they would locally; a
 * gateway still starting is asked again, as its namespace is not about to change.
 */
export function learnNamespace(ask: Ask = () => api.resources.namespace.query()): Promise<void> {
  return ask().then(
    (here) => namespace.set(here.namespace),
    () => {
      setTimeout(() => void learnNamespace(ask), RETRY_MS);
    },
  );
}
