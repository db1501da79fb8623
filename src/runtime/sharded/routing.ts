import type { Command } from '../../core/index.js';

/** FNV-1a over the UTF-16 code units of a symbol: stable across runs, machines and versions. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface ShardRouterOptions {
  shards: number;
  /** Symbols pinned to a shard (e.g. a hot symbol given a shard of its own). */
  overrides?: Record<string, number>;
}

/** Maps a symbol to its shard: the override if there is one, else FNV-1a(symbol) mod N. */
export class ShardRouter {
  readonly shards: number;
  private readonly overrides: Map<string, number>;

  constructor(opts: ShardRouterOptions) {
    if (!Number.isInteger(opts.shards) || opts.shards < 1) {
      throw new Error(`shards must be a positive integer, got ${opts.shards}`);
    }
    this.shards = opts.shards;
    this.overrides = new Map(Object.entries(opts.overrides ?? {}));
    for (const [symbol, shard] of this.overrides) {
      if (!Number.isInteger(shard) || shard < 0 || shard >= opts.shards) {
        throw new Error(`shard override ${symbol}=${shard} is outside 0..${opts.shards - 1}`);
      }
    }
  }

  shardOf(symbol: string): number {
    return this.overrides.get(symbol) ?? fnv1a(symbol) % this.shards;
  }

  isPinned(symbol: string): boolean {
    return this.overrides.has(symbol);
  }

  /** The shard a command goes to, or -1 when it has no symbol and fans out to every shard. */
  route(cmd: Command): number {
    if (cmd.type === 'instrument') return this.shardOf(cmd.instrument.symbol);
    if (cmd.type === 'clock') return -1;
    if (cmd.type === 'massCancel') return cmd.symbol === undefined ? -1 : this.shardOf(cmd.symbol);
    return this.shardOf(cmd.symbol);
  }

  describe(): string {
    const pins = [...this.overrides].map(([s, n]) => `${s}->${n}`).join(', ');
    return `${this.shards} shard(s), symbol -> FNV-1a(symbol) mod ${this.shards}${pins ? `, pinned: ${pins}` : ''}`;
  }
}
