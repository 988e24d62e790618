import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * The machine a figure was measured on, as every bench reports it: a number means little
 * without the cores, the Node version and how busy the machine was at the time.
 */
export function describeMachine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}
