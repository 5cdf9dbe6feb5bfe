import { describe, expect, it } from 'vitest';
import { orderByPriorityAndWeight } from './provider-order.ts';

/** A deterministic uniform sequence (a 32-bit linear congruential generator, Numerical Recipes' constants). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('orderByPriorityAndWeight', () => {
  it('puts every lower priority number first, whatever the weights', () => {
    const entries = [
      { id: 'c', priority: 2, weight: 100 },
      { id: 'a', priority: 0, weight: 1 },
      { id: 'b', priority: 1, weight: 50 },
    ];
    expect(orderByPriorityAndWeight(entries, () => 0.99).map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('leads with each entry of a priority in proportion to its weight', () => {
    const entries = [
      { id: 'heavy', priority: 0, weight: 3 },
      { id: 'light', priority: 0, weight: 1 },
    ];
    const random = sequence(42);
    let heavyFirst = 0;
    for (let draw = 0; draw < 4_000; draw++) {
      const order = orderByPriorityAndWeight(entries, random);
      expect(order).toHaveLength(2);
      if (order[0].id === 'heavy') heavyFirst++;
    }
    expect(heavyFirst / 4_000).toBeGreaterThan(0.72);
    expect(heavyFirst / 4_000).toBeLessThan(0.78);
  });

  it('puts zero-weight entries last in their priority', () => {
    const entries = [
      { id: 'standby', priority: 0, weight: 0 },
      { id: 'main', priority: 0, weight: 1 },
      { id: 'next', priority: 1, weight: 1 },
    ];
    expect(orderByPriorityAndWeight(entries, () => 0).map((entry) => entry.id)).toEqual(['main', 'standby', 'next']);
  });
});
