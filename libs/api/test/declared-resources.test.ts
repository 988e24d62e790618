import { describe, expect, it } from 'vitest';
import { DeclaredResources } from '../src/resources/declared-resources.ts';

const quiet = { warn: () => {}, info: () => {} };

function source(name: string) {
  return { kind: 'CryptoSource', metadata: { name } };
}

/** A resource store whose listings answer only when the test says, in the order they began. */
function heldStore() {
  const pending: { names: string[]; answer: () => void }[] = [];
  let declared = ['kept', 'doomed'];
  return {
    pending,
    delete: (name: string) => (declared = declared.filter((n) => n !== name)),
    list: () =>
      new Promise<{ resources: ReturnType<typeof source>[] }>((resolve) => {
        const names = [...declared];
        pending.push({ names, answer: () => resolve({ resources: names.map(source) }) });
      }),
  };
}

describe('DeclaredResources', () => {
  it('does not answer with a listing that began before a change it was told of', async () => {
    const store = heldStore();
    const declared = new DeclaredResources(store as never, quiet);
    const stale = declared.read(); // a listing is on its way, from before the delete
    store.delete('doomed');
    declared.invalidate();
    const fresh = declared.read();
    store.pending[0]!.answer(); // the old listing lands late
    await Promise.resolve();
    store.pending.at(-1)!.answer();
    expect([...(await fresh)!.sources]).toEqual(['default/kept']);
    // Whoever waited on the old listing is also given the names after the change.
    expect([...(await stale)!.sources]).toEqual(['default/kept']);
    expect([...declared.current()!.sources]).toEqual(['default/kept']);
  });
});
