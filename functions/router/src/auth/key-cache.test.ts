import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import { KeyCache, MAX_KEY_CACHE_SECONDS, parseKeyCacheSeconds } from './key-cache.ts';

const record = (keyId: string): KeyRecord => ({ keyId, tenantId: 't_1', mode: 'live', scopes: ['generate', 'read'] });

describe('KeyCache', () => {
  it('answers a key for its time to live and not a millisecond longer', () => {
    const cache = new KeyCache(10_000);
    cache.set('d1', record('key_1'), 1_000);
    expect(cache.get('d1', 1_000)).toEqual(record('key_1'));
    expect(cache.get('d1', 10_999)).toEqual(record('key_1'));
    expect(cache.get('d1', 11_000)).toBeUndefined();
    // Expired entries are gone, not revived by a clock that runs back.
    expect(cache.get('d1', 5_000)).toBeUndefined();
  });

  it('forgets the key set longest ago when full, and a dropped key at once', () => {
    const cache = new KeyCache(60_000, 2);
    cache.set('d1', record('key_1'), 0);
    cache.set('d2', record('key_2'), 0);
    cache.set('d1', record('key_1'), 1); // set again: now the newest
    cache.set('d3', record('key_3'), 2);
    expect(cache.get('d2', 3)).toBeUndefined();
    expect(cache.get('d1', 3)?.keyId).toBe('key_1');
    cache.drop('d1');
    expect(cache.get('d1', 3)).toBeUndefined();
    expect(cache.get('d3', 3)?.keyId).toBe('key_3');
  });

  it('keeps nothing with a time to live of 0', () => {
    const cache = new KeyCache(0);
    cache.set('d1', record('key_1'), 5);
    expect(cache.get('d1', 5)).toBeUndefined();
  });
});

describe('parseKeyCacheSeconds', () => {
  it('reads whole seconds from 0 to the maximum, 10 when unset', () => {
    expect(parseKeyCacheSeconds(undefined)).toBe(10);
    expect(parseKeyCacheSeconds(' ')).toBe(10);
    expect(parseKeyCacheSeconds('0')).toBe(0);
    expect(parseKeyCacheSeconds(String(MAX_KEY_CACHE_SECONDS))).toBe(MAX_KEY_CACHE_SECONDS);
  });

  it.each(['-1', '1.5', 'ten', String(MAX_KEY_CACHE_SECONDS + 1)])('refuses %s, naming the setting', (value) => {
    expect(() => parseKeyCacheSeconds(value)).toThrow(
      `KEY_CACHE_SECONDS "${value}" is not allowed; use a whole number of seconds from 0 to ${MAX_KEY_CACHE_SECONDS}`,
    );
  });
});
