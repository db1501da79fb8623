/** FNV-1a over 32-bit words, two independent lanes combined into a 64-bit hex digest. Pure. */
export class StateHasher {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  number(n: number): this {
    if (!Number.isFinite(n)) {
      this.word(n !== n ? 0x7ff80001 : n > 0 ? 0x7ff00001 : 0xfff00001);
      return this;
    }
    // Split into two 32-bit halves so integers up to 2^53 (and negatives) hash exactly.
    const lo = (n % 4294967296) | 0;
    const hi = Math.floor(n / 4294967296) | 0;
    this.word(lo);
    this.word(hi);
    return this;
  }

  string(s: string): this {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    return this;
  }

  private word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ (w + 0x9e3779b9), 0x85ebca6b) >>> 0;
    this.b = (this.b ^ (this.b >>> 13)) >>> 0;
  }

  digest(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}
