import { describe, expect, it } from 'vitest';
import { StartedParts } from '../src/local/started-parts.ts';

describe('StartedParts', () => {
  it('stops in reverse order, past a part that fails to stop, and only once', async () => {
    const stopped: string[] = [];
    const started = new StartedParts();
    const part = (name: string, fails = false) => ({
      stop: async () => {
        stopped.push(name);
        if (fails) throw new Error(`${name} would not stop`);
      },
    });
    const postgres = started.add(part('postgres'));
    started.add(part('nats', true));
    started.add(part('workers'));
    expect(postgres).toBeDefined();
    await started.stopAll();
    await started.stopAll();
    expect(stopped).toEqual(['workers', 'nats', 'postgres']);
  });
});
