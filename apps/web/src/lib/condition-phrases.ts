/**
 * Status conditions in words a person reads at a glance: the controller's and the gateway's
 * reasons are CamelCase identifiers for machines (`kubectl`, alerts), not for a badge.
 */

export interface ConditionLike {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
}

/** The reasons a person meets most; any other is spelled out from its name. */
const REASONS: Record<string, string> = {
  WorkersReady: 'workers ready',
  WorkersReporting: 'workers reporting',
  NoWorkers: 'no workers running',
  WorkersNotReady: 'workers starting',
  WaitingForWorkers: 'waiting for workers',
  RollingOut: 'rolling out',
  Stable: 'stable',
  Suspended: 'suspended',
  HeartbeatsUnavailable: 'no heartbeats to read',
  InvalidSpec: 'invalid spec',
  SecretMissing: 'Secret missing',
  InvalidConfig: 'invalid settings',
  AuthFailed: 'API key refused',
  RateLimited: 'rate limited',
  ProviderUnreachable: 'provider unreachable',
  UnknownSymbol: 'unknown symbol',
  ProviderResponseInvalid: 'unexpected provider answer',
  WorkerFailing: 'a worker is failing',
  WorkerErrors: 'worker errors',
  Fresh: 'data flowing',
  Stale: 'data stale',
  NoDataYet: 'no data yet',
  Finished: 'replay finished',
  NoErrors: 'no errors',
  AsExpected: 'no errors',
};

/** `ProviderUnreachable` → `provider unreachable`, for a reason not in the table. */
function spelledOut(reason: string): string {
  const words = reason
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return words
    .split(' ')
    .map((word) => (/^[A-Z][a-z]/.test(word) ? word.toLowerCase() : word))
    .join(' ');
}

function reasonWords(reason: string): string {
  return Object.hasOwn(REASONS, reason) ? REASONS[reason]! : spelledOut(reason);
}

/** Upper-cases the first letter: words start a badge, or follow a colon. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The badge's words for one condition, e.g. "Ready", "Not ready: no workers running", "No errors". */
export function conditionPhrase(condition: ConditionLike): string {
  const words = reasonWords(condition.reason);
  switch (condition.type) {
    case 'Ready':
      if (condition.status === 'True') return 'Ready';
      if (condition.reason === 'Suspended') return 'Suspended';
      return condition.status === 'Unknown' ? `Ready? ${words}` : `Not ready: ${words}`;
    case 'Degraded':
      return condition.status === 'False' ? 'No errors' : `Problem: ${words}`;
    default:
      return sentence(words);
  }
}
