/**
 * Min-heap of (expireAt, serial, oid) so DAY / GTD expiry costs nothing until the clock passes the
 * earliest deadline. Entries of orders that are already gone are dropped lazily (serial check).
 */
export class ExpiryHeap {
  private at: number[] = [];
  private serial: number[] = [];
  private oid: number[] = [];

  get size(): number {
    return this.at.length;
  }

  /** Earliest deadline, or Infinity. */
  peekAt(): number {
    return this.at.length === 0 ? Infinity : this.at[0];
  }

  peekSerial(): number {
    return this.serial[0];
  }

  peekOid(): number {
    return this.oid[0];
  }

  push(at: number, serial: number, oid: number): void {
    let i = this.at.length;
    this.at.push(at);
    this.serial.push(serial);
    this.oid.push(oid);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): void {
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.serial.pop();
    this.oid.pop();
    let i = 0;
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private less(i: number, j: number): boolean {
    return (
      this.at[i] < this.at[j] || (this.at[i] === this.at[j] && this.serial[i] < this.serial[j])
    );
  }

  private swap(i: number, j: number): void {
    const a = this.at[i];
    this.at[i] = this.at[j];
    this.at[j] = a;
    const s = this.serial[i];
    this.serial[i] = this.serial[j];
    this.serial[j] = s;
    const o = this.oid[i];
    this.oid[i] = this.oid[j];
    this.oid[j] = o;
  }
}
