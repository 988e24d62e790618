import { describe, expect, it } from 'vitest';
import { SubscriptionBudget } from '../src/live/subscription-budget.ts';

describe('live subscription budget', () => {
  it('caps each client and all of them, and gives slots back once', () => {
    const budget = new SubscriptionBudget(3, 2);
    const a1 = budget.acquire('10.0.0.1');
    budget.acquire('10.0.0.1');
    expect(() => budget.acquire('10.0.0.1')).toThrow(/from this client \(2\)/);
    // Another client still gets in, up to the total.
    budget.acquire('10.0.0.2');
    expect(() => budget.acquire('10.0.0.3')).toThrow(/too many live subscriptions \(3\)/);
    a1();
    a1(); // a second release changes nothing
    expect(budget.open).toBe(2);
    budget.acquire('10.0.0.3');
    expect(() => budget.acquire('10.0.0.3')).toThrow(/too many live subscriptions \(3\)/);
  });
});
