import { describe, expect, it } from 'vitest';
import { eventually } from '@cryptoviz/testkit';
import { Controller, type Reconciler } from '../src/index.ts';
import type { ResourceCache } from '../src/platform.ts';

const store = (keys: string[]): ResourceCache => ({
  get: () => undefined,
  keys: () => keys,
  onChange: () => undefined,
});

/** A reconciler whose reconciles all wait for `finish()`. */
function gatedReconciler() {
  let finish!: () => void;
  const gate = new Promise<void>((resolve) => (finish = resolve));
  let started = 0;
  const reconciler = {
    reconcile: async () => {
      started++;
      await gate;
      return {};
    },
  } as unknown as Reconciler;
  return { reconciler, finish, started: () => started };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return done;
};

describe('Controller.stop', () => {
  it('makes every caller wait for the reconciles in flight, not just the first', async () => {
    const { reconciler, finish, started } = gatedReconciler();
    const controller = new Controller({ store: store(['a']), reconciler });
    await controller.start();
    expect(started()).toBe(1);

    const first = controller.stop(); // as losing the lead does, without waiting
    const second = controller.stop(); // as shutdown does, before it releases the Lease
    expect(await settled(second)).toBe(false);

    finish();
    expect(await second).toBe(true);
    expect(await first).toBe(true);
  });

  it('gives up waiting after the timeout, and says so', async () => {
    const { reconciler, finish } = gatedReconciler();
    const controller = new Controller({ store: store(['a']), reconciler });
    await controller.start();
    expect(await controller.stop(30)).toBe(false);
    finish();
  });

  it('starts again only once the last term has finished its reconciles: never two of one key', async () => {
    const { reconciler, finish, started } = gatedReconciler();
    const controller = new Controller({ store: store(['a']), reconciler });
    await controller.start();
    expect(started()).toBe(1);
    void controller.stop(); // the lead is lost…
    const restarting = controller.start(); // …and won again while "a" still reconciles
    expect(await settled(restarting)).toBe(false);
    expect(started()).toBe(1);
    finish();
    await restarting;
    await eventually(
      async () => started(),
      (n) => n === 2,
    );
    await controller.stop();
  });
});
