import type { Registry } from 'prom-client';
import { z } from 'zod';
import { commonEnv, ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createRegistry } from './metrics.ts';
import { createScrubber } from './secrets.ts';
import { startProbeServer, type ProbeServer } from './probe-server.ts';
import { settlesWithin } from './settles-within.ts';

type CommonConfig = z.output<z.ZodObject<typeof commonEnv>>;

export interface ServiceContext<C> {
  config: C & CommonConfig;
  log: Logger;
  registry: Registry;
}

/** What a service's `start` hands back: how to tell it is ready, and how to stop it cleanly. */
export interface Running {
  isReady(): boolean;
  /** Drain in-flight work, ack what was committed, close connections. */
  stop(): Promise<void>;
}

export interface ServiceDefinition<S extends z.ZodRawShape> {
  name: string;
  env: S;
  /** Variables of `env` holding secrets: their values are scrubbed from every log line. */
  secretEnv?: readonly (keyof S & string)[];
  start(context: ServiceContext<z.output<z.ZodObject<S>>>): Promise<Running>;
}

export interface StartedService {
  config: CommonConfig;
  log: Logger;
  registry: Registry;
  probe: ProbeServer;
  running: Running;
  stop(): Promise<void>;
}

/** Starts a service in this process: config, logger, metrics, probes, then the service itself. */
export async function startService<S extends z.ZodRawShape>(
  definition: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedService> {
  const config = loadConfig(z.object({ ...commonEnv, ...definition.env }), env) as z.output<
    z.ZodObject<S>
  > &
    CommonConfig;
  const secrets = (definition.secretEnv ?? []).map((name) => {
    const value: unknown = (config as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  });
  const log = createLogger(definition.name, config.LOG_LEVEL, secrets);
  const registry = createRegistry(definition.name);
  let running: Running | undefined;
  const probe = await startProbeServer({
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_S * 1000,
    registry,
    log,
    isReady: () => running?.isReady() ?? false,
  });
  try {
    running = await definition.start({ config, log, registry });
  } catch (err) {
    await probe.close();
    throw err;
  }
  const started = running;
  log.info({ probePort: probe.port }, `${definition.name} started`);
  let stopping: Promise<void> | undefined;
  return {
    config,
    log,
    registry,
    probe,
    running: started,
    stop() {
      stopping ??= (async () => {
        const timeoutMs = config.SHUTDOWN_TIMEOUT_S * 1000;
        if (!(await settlesWithin(started.stop(), timeoutMs))) {
          log.warn({ timeoutMs }, 'graceful shutdown timed out');
        }
        await probe.close();
        log.info(`${definition.name} stopped`);
      })();
      return stopping;
    },
  };
}

/**
 * The whole life of a service process: refuse to start on bad config (naming the variable),
 * stop gracefully on SIGTERM/SIGINT, exit non-zero on a crash.
 */
export async function runService<S extends z.ZodRawShape>(
  definition: ServiceDefinition<S>,
): Promise<void> {
  let service: StartedService;
  try {
    service = await startService(definition);
  } catch (err) {
    const scrub = createScrubber((definition.secretEnv ?? []).map((name) => process.env[name]));
    if (err instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${scrub(err.message)}\n`);
      process.exit(2);
    }
    process.stderr.write(`${definition.name}: failed to start: ${scrub((err as Error).message)}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    service.log.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: Error) => {
        service.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const parent = service.config.CRYPTOVIZ_PARENT_PID;
  if (parent !== undefined) {
    // An orphan is adopted by another process: its parent id changes.
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      shutdown('parent exited');
    }, 1_000);
    watch.unref();
  }
  process.on('unhandledRejection', (reason) => {
    service.log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
}
