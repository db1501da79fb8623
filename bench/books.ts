/**
 * The book implementations under test. The reference book is loaded by path at run time so the
 * bench still builds and runs while (or if) it is absent.
 */
import { FastBook, type OrderBookFactory } from '../src/core/index.js';

export interface BookFactories {
  fast: OrderBookFactory;
  reference: OrderBookFactory | null;
}

export async function bookFactories(): Promise<BookFactories> {
  let reference: OrderBookFactory | null = null;
  try {
    const path = '../src/core/book/reference-book.js';
    const mod = (await import(path)) as { ReferenceBook?: new () => ReturnType<OrderBookFactory> };
    const Ref = mod.ReferenceBook;
    if (Ref) reference = () => new Ref();
  } catch {
    reference = null;
  }
  return { fast: () => new FastBook(), reference };
}
