import type { ResourceRef } from '@cryptoviz/resources';

/**
 * Stream, consumer, bucket and subject names for one install. A namespace prefixes all of
 * them, so two installs (or two test runs) can share one NATS server without touching
 * each other's data.
 */
export interface Topology {
  namespace: string;
  streams: { ticks: string; predictions: string; dlq: string };
  heartbeatBucket: string;
  /** Consumer names are per stream; the prefix keeps them unique per install too. */
  consumer(name: string): string;
  /** `ticks.<namespace>.<name>.<symbol>`: a source's ref gives two tokens. */
  tickSubject(source: ResourceRef, symbol: string): string;
  /** All ticks, or those of one namespace, source and/or symbol (`*` where not given). */
  ticksFilter(source?: Partial<ResourceRef>, symbol?: string): string;
  predictionSubject(model: ResourceRef, symbol: string): string;
  predictionsFilter(model?: Partial<ResourceRef>, symbol?: string): string;
  dlqSubject(origin: string): string;
}

export function topology(namespace = ''): Topology {
  const streamPrefix = namespace ? `${namespace.toUpperCase().replace(/-/g, '_')}_` : '';
  const subjectPrefix = namespace ? `${namespace}.` : '';
  const subject = (kind: string, ref: ResourceRef, symbol: string) =>
    `${subjectPrefix}${kind}.${ref.namespace}.${ref.name}.${symbol}`;
  const filter = (kind: string, ref: Partial<ResourceRef> = {}, symbol?: string) =>
    ref.namespace || ref.name || symbol
      ? `${subjectPrefix}${kind}.${ref.namespace ?? '*'}.${ref.name ?? '*'}.${symbol ?? '*'}`
      : `${subjectPrefix}${kind}.>`;
  return {
    namespace,
    streams: {
      ticks: `${streamPrefix}TICKS`,
      predictions: `${streamPrefix}PREDICTIONS`,
      dlq: `${streamPrefix}DLQ`,
    },
    heartbeatBucket: `${streamPrefix}HEARTBEATS`,
    consumer: (name) => `${streamPrefix}${name}`,
    tickSubject: (source, symbol) => subject('ticks', source, symbol),
    ticksFilter: (source, symbol) => filter('ticks', source, symbol),
    predictionSubject: (model, symbol) => subject('predictions', model, symbol),
    predictionsFilter: (model, symbol) => filter('predictions', model, symbol),
    dlqSubject: (origin) => `${subjectPrefix}dlq.${origin}`,
  };
}
