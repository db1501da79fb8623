import { describe, expect, it } from 'vitest';
import { bookCases } from './book.cases.js';
import { FastBook, ReferenceBook, type OrderBookFactory } from '../../src/core/index.js';

const books: [string, OrderBookFactory][] = [
  ['reference', () => new ReferenceBook()],
  ['fast', () => new FastBook()],
];

for (const [name, make] of books) {
  describe(`conformance: ${name} book`, () => {
    for (const c of bookCases) {
      it(c.name, () => {
        expect(() => c.run(make)).not.toThrow();
      });
    }
  });
}
