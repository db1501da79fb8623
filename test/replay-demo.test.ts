/**
 * `crossbook demo` (the seed's market-open story) as a user runs it. The auction price is worked
 * out by hand: bids A 1000@420.50, C 300@420.10, MM2 500@419.90; asks B 1000@420.00,
 * MM1 300@420.30, 400@420.70. Volume is 1000 anywhere in 420.00..420.50; the imbalance is 0 only
 * in 420.11..420.29, and the reference 420.25 lies there, so the uncross is 1000 @ 420.25.
 * D's market buy of 500 then takes 300 @ 420.30 and 200 @ 420.70.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './replay-helpers.js';

beforeAll(assertBuilt);

describe('crossbook demo', () => {
  it('tells the market-open story through an opening auction with exact quantities', async () => {
    const res = await runCli(['demo']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    // Not a terminal: no colour codes.
    expect(res.stdout.includes('\u001b[')).toBe(false);
    const row = (re: RegExp) => lines.filter((l) => re.test(l));
    expect(row(/^\s+auction\s+1000\s+420\.25\s+opening uncross$/)).toHaveLength(1);
    expect(row(/^\s+1\s+A-1\s+B-1\s+1000\s+420\.25\s+opening auction$/)).toHaveLength(1);
    expect(row(/^\s+2\s+D-1\s+MM1-1\s+300\s+420\.30\s+buy aggressor$/)).toHaveLength(1);
    expect(row(/^\s+3\s+D-1\s+MM1-2\s+200\s+420\.70\s+buy aggressor$/)).toHaveLength(1);
    expect(
      row(/^\s+\d+\s+\S+\s+\S+\s+\d+\s+[\d.]+\s+(opening auction|\w+ aggressor)$/),
    ).toHaveLength(3);
    const book = lines.slice(lines.indexOf('Final book'));
    expect(book[3]).toMatch(/^\s+420\.70\s+200\s+MM1-2 200$/);
    expect(book[4]).toMatch(/^\s+300\s+420\.10\s+C-1 300$/);
    expect(book[5]).toMatch(/^\s+500\s+419\.90\s+MM2-1 500$/);
    expect(res.stdout).toMatch(/A-1 filled \/ B-1 filled\s+1000 \/ 1000/);
    expect(res.stdout).toMatch(/filled \+ open \+ cancelled = quantity\s+holds for all 7 orders/);
    expect(res.stdout).toContain('Exactly the 1000 shares that existed traded');
  });
});
