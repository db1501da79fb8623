/** A live copy of the cluster KV bucket (leases, heartbeats, map), kept by a KV watch. */
import type { KV } from 'nats';
import { decodeJson } from './protocol.js';

export interface CachedEntry<T = unknown> {
  value: T;
  revision: number;
}

export class KvCache {
  private readonly entries = new Map<string, CachedEntry>();
  private stopWatch: (() => void) | null = null;
  private lastUpdate = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly kv: KV,
    /** Restart the watch when nothing arrived for this long (leases renew far more often). */
    private readonly quietMs = 3000,
  ) {}

  async start(): Promise<void> {
    await this.watch();
    // A watch whose server went away recovers on its own only after missed heartbeats; leases
    // change every few hundred ms, so a quiet watch is restarted sooner.
    this.watchdog = setInterval(() => {
      if (this.stopped || Date.now() - this.lastUpdate < this.quietMs) return;
      this.lastUpdate = Date.now();
      this.stopWatch?.();
      this.watch().catch(() => undefined);
    }, 1000);
    this.watchdog.unref();
  }

  private async watch(): Promise<void> {
    let ready!: () => void;
    const initialized = new Promise<void>((r) => (ready = r));
    const iter = await this.kv.watch({ key: '>', initializedFn: () => ready() });
    this.stopWatch = () => iter.stop();
    void (async () => {
      for await (const e of iter) {
        this.lastUpdate = Date.now();
        if (e.operation !== 'PUT' || e.value.length === 0) this.entries.delete(e.key);
        else {
          try {
            this.entries.set(e.key, { value: decodeJson(e.value), revision: e.revision });
          } catch {
            // A non-JSON value (the salt): not needed here.
          }
        }
      }
    })();
    await initialized;
  }

  get<T>(key: string): CachedEntry<T> | undefined {
    return this.entries.get(key) as CachedEntry<T> | undefined;
  }

  /** Records our own write at once (the watch confirms it a moment later). */
  set(key: string, value: unknown, revision: number): void {
    const cur = this.entries.get(key);
    if (cur === undefined || cur.revision <= revision) this.entries.set(key, { value, revision });
  }

  keys(prefix: string): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix));
  }

  stop(): void {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.stopWatch?.();
  }
}
