import {
  decimalText,
  onTimeGrid,
  parseDecimal,
  TIME_GRID_NS,
  type RejectReason,
} from '../core/index.js';

/** A wire-level refusal, raised while reading fields and turned into data by parseCommand. */
export class EdgeRejection extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** The common shape, checked without allocating; parseDecimal decides everything else. */
const PLAIN_DECIMAL = /^\d{1,20}(?:\.\d{1,18})?$/;

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Describes a JSON value's type for error messages ("a number", "null"...). */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

/**
 * Reads typed fields from one wire object. Each refusal carries the sentence prefix of the
 * command ("Cannot place order A-2") so every message names what was refused. `null` counts as
 * absent for optional fields, since JSON encoders often write it for unset values.
 */
export class FieldReader {
  constructor(
    readonly obj: JsonObject,
    readonly prefix: string,
  ) {}

  fail(reason: RejectReason, detail: string): never {
    throw new EdgeRejection(reason, `${this.prefix}: ${detail}`);
  }

  private present(name: string): boolean {
    const v = this.obj[name];
    return v !== undefined && v !== null;
  }

  private missing(name: string): never {
    return this.fail('malformed', `missing required field ${name}`);
  }

  private wrongType(name: string, want: string): never {
    return this.fail(
      'malformed',
      `field ${name} must be ${want}, got ${jsonTypeOf(this.obj[name])}`,
    );
  }

  string(name: string): string {
    if (!this.present(name)) this.missing(name);
    const v = this.obj[name];
    if (typeof v !== 'string') this.wrongType(name, 'a string');
    if (v.length === 0) this.fail('malformed', `field ${name} must not be empty`);
    return v;
  }

  optString(name: string): string | undefined {
    return this.present(name) ? this.string(name) : undefined;
  }

  optBoolean(name: string): boolean | undefined {
    if (!this.present(name)) return undefined;
    const v = this.obj[name];
    if (typeof v !== 'boolean') this.wrongType(name, 'true or false');
    return v;
  }

  enumOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.string(name);
    if (!(allowed as readonly string[]).includes(v)) {
      this.fail('malformed', `${name} "${v}" is not one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  optEnum<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.present(name) ? this.enumOf(name, allowed) : undefined;
  }

  /**
   * A decimal (string or plain JSON number), checked for syntax only: conversion to steps needs
   * the instrument and happens after the symbol is known. Returns the canonical input text.
   */
  decimal(name: string): string {
    if (!this.present(name)) this.missing(name);
    const v = this.obj[name];
    if (typeof v !== 'string' && typeof v !== 'number') this.wrongType(name, 'a decimal string');
    const text = decimalText(v);
    if (text === null || !(PLAIN_DECIMAL.test(text) || parseDecimal(text) !== null)) {
      this.fail('malformed', `${name} ${JSON.stringify(v)} is not a decimal number`);
    }
    return text;
  }

  optDecimal(name: string): string | undefined {
    return this.present(name) ? this.decimal(name) : undefined;
  }

  /**
   * A non-negative integer count of nanoseconds, as a JSON number or a digit string. Times up to
   * 2^53 ns are exact. Epoch nanoseconds are larger; a double cannot hold every one of them, so
   * a time above 2^53 ns is truncated to a multiple of TIME_GRID_NS (1024 ns): digit strings
   * exactly (BigInt), JSON numbers from the double they already are. Every such time is then
   * exact as a double, and times at or above 2^63 ns (year 2262) are refused.
   */
  nanos(name: string): number {
    if (!this.present(name)) this.missing(name);
    const v = this.obj[name];
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && /^\d{1,24}$/.test(v)) {
      if (v.length < 16) n = Number(v);
      else {
        const b = BigInt(v);
        if (b >= TIME_LIMIT) return this.fail('too_large', `${name} ${v} is not below 2^63 ns`);
        n = Number(b > EXACT_BIG ? b - (b % GRID_BIG) : b);
      }
    } else return this.wrongType(name, 'an integer number of nanoseconds');
    if (!Number.isInteger(n) || n < 0) {
      this.fail('malformed', `${name} ${JSON.stringify(v)} is not a non-negative integer`);
    }
    if (n >= 2 ** 63) this.fail('too_large', `${name} ${JSON.stringify(v)} is not below 2^63 ns`);
    return onTimeGrid(n);
  }

  optNanos(name: string): number | undefined {
    return this.present(name) ? this.nanos(name) : undefined;
  }
}

const EXACT_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const GRID_BIG = BigInt(TIME_GRID_NS);
const TIME_LIMIT = 2n ** 63n;
