import { describe, expect, it } from 'vitest';
import { IdRegistry } from './id-registry.js';

describe('IdRegistry', () => {
  it('chains maps past the per-map limit and still finds every id', () => {
    const r = new IdRegistry(4);
    for (let i = 0; i < 10; i++) r.set(`id-${i}`, i);
    expect(r.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(r.get(`id-${i}`)).toBe(i);
    expect(r.has('nope')).toBe(false);
    expect([...r.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `id-${i}`));
  });

  it('add() chains like set() and counts each id once', () => {
    const r = new IdRegistry(3);
    for (let i = 0; i < 7; i++) r.add(`n${i}`, i * 2);
    expect(r.size).toBe(7);
    expect([r.get('n0'), r.get('n3'), r.get('n6')]).toEqual([0, 6, 12]);
  });

  it('moves a known id to a new handle without counting it twice', () => {
    const r = new IdRegistry(2);
    r.set('a', 1);
    r.set('b', 2);
    r.set('c', 3);
    r.set('a', 7);
    r.set('c', 9);
    expect(r.size).toBe(3);
    expect([r.get('a'), r.get('b'), r.get('c')]).toEqual([7, 2, 9]);
  });
});
