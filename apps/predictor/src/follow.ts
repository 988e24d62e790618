import { jetstream } from '@nats-io/jetstream';
import {
  decodeTicks,
  followStream,
  type DecodedTicks,
  type NatsConnection,
  type Topology,
} from '@cryptoviz/bus';

export interface FollowOptions {
  nc: NatsConnection;
  topo: Topology;
  /** The model's namespace: its sources are there, so other namespaces' ticks never come. */
  namespace: string;
  symbols: readonly string[];
  /** Stream time (when JetStream stored a message) to start from. */
  from: Date;
  /** Called with each message's ticks, in stream order, one message at a time. */
  onMessage(decoded: DecodedTicks): Promise<void>;
  /** Told when a symbol's consumer is recreated (after a NATS restart, say) and why. */
  onRecreate?(symbol: string, reason: string): void;
}

export interface Following {
  stop(): Promise<void>;
}

/**
 * Follows TICKS for some symbols of one namespace's sources, one consumer per symbol, each
 * message in turn; a consumer lost with its server is recreated where it left off.
 */
export function followTicks(options: FollowOptions): Following {
  const { topo } = options;
  const js = jetstream(options.nc);
  const stopping = new AbortController();
  const loops = options.symbols.map(async (symbol) => {
    const messages = followStream(js, {
      stream: topo.streams.ticks,
      filter: topo.ticksFilter({ namespace: options.namespace }, symbol),
      start: { time: options.from },
      signal: stopping.signal,
      onRecreate: (reason) => options.onRecreate?.(symbol, reason),
    });
    for await (const msg of messages) {
      await options.onMessage(decodeTicks(topo, msg.subject, msg.data));
    }
  });
  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}
