/**
 * Client order id -> order handle, for every id ever accepted (ids are unique for the life of an
 * engine, even after the order is done). A JS Map holds at most 2^24 entries, so the registry
 * chains maps: the newest answers first, and nothing is ever forgotten.
 * Values are the order's handle within its instrument (a small integer, no boxing); the caller
 * confirms a hit by comparing the slot's client id, so a stale handle never matches.
 */
const MAP_LIMIT = 1 << 23;

export class IdRegistry {
  private maps: Map<string, number>[] = [new Map()];
  private current: Map<string, number> = this.maps[0];
  private total = 0;

  /** `perMap` is how many ids one Map holds before the next is chained (tests make it small). */
  constructor(private readonly perMap = MAP_LIMIT) {}

  get size(): number {
    return this.total;
  }

  get(id: string): number | undefined {
    const hit = this.current.get(id);
    if (hit !== undefined || this.maps.length === 1) return hit;
    for (let i = this.maps.length - 2; i >= 0; i--) {
      const v = this.maps[i].get(id);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Records an id the caller has just checked is absent: one Map write on the hot path. */
  add(id: string, handle: number): void {
    if (this.current.size >= this.perMap) {
      this.current = new Map();
      this.maps.push(this.current);
    }
    this.current.set(id, handle);
    this.total++;
  }

  /** Records a new id, or moves a known one to a new handle (restore). */
  set(id: string, handle: number): void {
    for (const m of this.maps) {
      if (m !== this.current && m.has(id)) {
        m.set(id, handle);
        return;
      }
    }
    if (!this.current.has(id)) {
      if (this.current.size >= this.perMap) {
        this.current = new Map();
        this.maps.push(this.current);
      }
      this.total++;
    }
    this.current.set(id, handle);
  }

  /** Every id, oldest first. */
  *keys(): IterableIterator<string> {
    for (const m of this.maps) yield* m.keys();
  }
}
