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
  tickSubject(source: string, symbol: string): string;
  /** All ticks, or those of one source and/or symbol (`*` where not given). */
  ticksFilter(source?: string, symbol?: string): string;
  predictionSubject(model: string, symbol: string): string;
  predictionsFilter(model?: string, symbol?: string): string;
  dlqSubject(origin: string): string;
}

export function topology(namespace = ''): Topology {
  const streamPrefix = namespace ? `${namespace.toUpperCase().replace(/-/g, '_')}_` : '';
  const subjectPrefix = namespace ? `${namespace}.` : '';
  return {
    namespace,
    streams: {
      ticks: `${streamPrefix}TICKS`,
      predictions: `${streamPrefix}PREDICTIONS`,
      dlq: `${streamPrefix}DLQ`,
    },
    heartbeatBucket: `${streamPrefix}HEARTBEATS`,
    consumer: (name) => `${streamPrefix}${name}`,
    tickSubject: (source, symbol) => `${subjectPrefix}ticks.${source}.${symbol}`,
    ticksFilter: (source, symbol) =>
      source || symbol
        ? `${subjectPrefix}ticks.${source ?? '*'}.${symbol ?? '*'}`
        : `${subjectPrefix}ticks.>`,
    predictionSubject: (model, symbol) => `${subjectPrefix}predictions.${model}.${symbol}`,
    predictionsFilter: (model, symbol) =>
      model || symbol
        ? `${subjectPrefix}predictions.${model ?? '*'}.${symbol ?? '*'}`
        : `${subjectPrefix}predictions.>`,
    dlqSubject: (origin) => `${subjectPrefix}dlq.${origin}`,
  };
}
