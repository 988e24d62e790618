// The load generator for bench/src/ingest.ts, in its own process like a real fetcher:
// COUNT ticks as fast as JetStream confirms them, or at RATE ticks/s when RATE is set, with
// up to PER_MESSAGE ticks of a symbol in a message (1: the shape of a live poll).
import { connect } from '@nats-io/transport-node';
import { publishConfirmed, tickMessages, topology } from '@cryptoviz/bus';
import type { Tick } from '@cryptoviz/market';
import { sampleTicks } from '@cryptoviz/testkit/ticks';

const url = process.env.NATS_URL!;
const topo = topology(process.env.NS);
const count = Number(process.env.COUNT);
const rate = Number(process.env.RATE ?? 0);
const perMessage = Number(process.env.PER_MESSAGE ?? 100);
const nc = await connect({ servers: url });
const publish = async (ticks: Tick[]) =>
  (await publishConfirmed(nc, tickMessages(topo, ticks, perMessage))).published;
const ticks = sampleTicks(count, 'default/bench', Date.parse('2024-01-01T00:00:00Z'), 50);
const started = performance.now();
let published = 0;
if (rate > 0) {
  // Paced: a slice every 20 ms, scheduled against the start so delays do not accumulate.
  const slice = Math.max(1, Math.round(rate / 50));
  for (let i = 0; i < ticks.length; i += slice) {
    const due = started + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    published += await publish(ticks.slice(i, i + slice));
  }
} else {
  published = await publish(ticks);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ published, seconds })}\n`);
await nc.close();
