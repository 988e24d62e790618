import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export type { NatsConnection };

/**
 * Connects with unlimited reconnects: a NATS restart is an outage to wait out, not a
 * reason for a worker to die. Status changes are logged so an operator sees them.
 */
export async function connectBus(
  url: string,
  name: string,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    pingInterval: 10_000,
  });
  if (log) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnecting') {
          log.warn({ nats: status.type }, 'NATS connection lost; reconnecting');
        } else if (status.type === 'reconnect') {
          log.info({ nats: status.type }, 'NATS connection restored');
        }
      }
    })();
  }
  return nc;
}
