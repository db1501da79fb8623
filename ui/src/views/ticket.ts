import { mark } from '../model';

/** The order ticket's prefill, set by clicking a ladder row or a tape price. */
export const ticket = { price: '', side: 'buy' as 'buy' | 'sell', version: 0 };

export function prefill(price: string, side?: 'buy' | 'sell'): void {
  ticket.price = price;
  if (side !== undefined) ticket.side = side;
  ticket.version++;
  mark('ticket');
}
