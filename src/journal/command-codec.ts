/**
 * Binary codec for every state-changing core Command. Pure. The command's `ts` travels in the
 * record header (see record-codec.ts), not here.
 *
 * Layout: u8 tag, then the required fields in a fixed order, then a u16 presence mask and the
 * optional fields in mask-bit order. A command carrying a key this codec does not know (a field
 * added to the core later) or an enum value outside the known lists is stored as tagged JSON
 * instead, so replay never silently drops data.
 */
import type { Command } from '../core/index.js';
import { ORDER_KINDS, PHASES, STP_MODES, TIME_IN_FORCE } from '../core/index.js';
import { ByteReader, ByteWriter } from './byte-buffer.js';

const TAG = {
  instrument: 1,
  place: 2,
  cancel: 3,
  replace: 4,
  massCancel: 5,
  phase: 6,
  clock: 7,
  json: 0xff,
} as const;

const SIDES = ['buy', 'sell'] as const;

const KNOWN_KEYS: Record<string, ReadonlySet<string>> = {
  instrument: new Set(['type', 'instrument', 'ts']),
  place: new Set([
    'type',
    'symbol',
    'orderId',
    'account',
    'side',
    'kind',
    'price',
    'qty',
    'tif',
    'postOnly',
    'stopPrice',
    'displayQty',
    'expireAt',
    'stp',
    'clientOrderId',
    'ts',
  ]),
  cancel: new Set(['type', 'symbol', 'orderId', 'account', 'ts']),
  replace: new Set(['type', 'symbol', 'orderId', 'account', 'price', 'qty', 'stopPrice', 'ts']),
  massCancel: new Set(['type', 'account', 'symbol', 'ts']),
  phase: new Set(['type', 'symbol', 'phase', 'ts']),
  clock: new Set(['type', 'ts']),
};
const INSTRUMENT_KEYS = new Set([
  'symbol',
  'tickSize',
  'lotSize',
  'bandPct',
  'referencePrice',
  'stp',
  'phase',
  'haltPauseNs',
]);

function hasOnlyKnownKeys(obj: object, known: ReadonlySet<string>): boolean {
  for (const k in obj) if (!known.has(k)) return false;
  return true;
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const idx = (list: readonly string[], v: unknown): number => (isStr(v) ? list.indexOf(v) : -1);

/** True when the compact binary form can hold `cmd` exactly; otherwise it goes as JSON. */
function fitsBinary(cmd: Command): boolean {
  const known = KNOWN_KEYS[cmd.type];
  if (known === undefined || !hasOnlyKnownKeys(cmd, known)) return false;
  switch (cmd.type) {
    case 'instrument': {
      const i = cmd.instrument;
      if (typeof i !== 'object' || i === null || !hasOnlyKnownKeys(i, INSTRUMENT_KEYS))
        return false;
      if (!isStr(i.symbol) || !isStr(i.tickSize) || !isStr(i.lotSize)) return false;
      if (i.bandPct !== undefined && !isStr(i.bandPct)) return false;
      if (i.referencePrice !== undefined && !isNum(i.referencePrice)) return false;
      if (i.haltPauseNs !== undefined && !isNum(i.haltPauseNs)) return false;
      if (i.stp !== undefined && idx(STP_MODES, i.stp) < 0) return false;
      return i.phase === undefined || idx(PHASES, i.phase) >= 0;
    }
    case 'place':
      return (
        isStr(cmd.symbol) &&
        isStr(cmd.orderId) &&
        isStr(cmd.account) &&
        idx(SIDES, cmd.side) >= 0 &&
        idx(ORDER_KINDS, cmd.kind) >= 0 &&
        isNum(cmd.qty) &&
        (cmd.price === undefined || isNum(cmd.price)) &&
        (cmd.tif === undefined || idx(TIME_IN_FORCE, cmd.tif) >= 0) &&
        (cmd.postOnly === undefined || typeof cmd.postOnly === 'boolean') &&
        (cmd.stopPrice === undefined || isNum(cmd.stopPrice)) &&
        (cmd.displayQty === undefined || isNum(cmd.displayQty)) &&
        (cmd.expireAt === undefined || isNum(cmd.expireAt)) &&
        (cmd.stp === undefined || idx(STP_MODES, cmd.stp) >= 0) &&
        (cmd.clientOrderId === undefined || isStr(cmd.clientOrderId))
      );
    case 'cancel':
      return isStr(cmd.symbol) && isStr(cmd.orderId) && isStr(cmd.account);
    case 'replace':
      return (
        isStr(cmd.symbol) &&
        isStr(cmd.orderId) &&
        isStr(cmd.account) &&
        (cmd.price === undefined || isNum(cmd.price)) &&
        (cmd.qty === undefined || isNum(cmd.qty)) &&
        (cmd.stopPrice === undefined || isNum(cmd.stopPrice))
      );
    case 'massCancel':
      return isStr(cmd.account) && (cmd.symbol === undefined || isStr(cmd.symbol));
    case 'phase':
      return isStr(cmd.symbol) && idx(PHASES, cmd.phase) >= 0;
    case 'clock':
      return true;
    default:
      return false;
  }
}

/** Appends the payload of `cmd` to `w`. Throws for `snapshot`, which is never journaled. */
export function encodeCommand(cmd: Command, w: ByteWriter): void {
  if (cmd.type === 'snapshot')
    throw new Error('snapshot commands change nothing and are not journaled');
  if (!fitsBinary(cmd)) {
    w.u8(TAG.json);
    w.str(JSON.stringify(cmd));
    return;
  }
  switch (cmd.type) {
    case 'instrument': {
      const i = cmd.instrument;
      w.u8(TAG.instrument);
      w.str(i.symbol);
      w.str(i.tickSize);
      w.str(i.lotSize);
      let mask = 0;
      if (i.bandPct !== undefined) mask |= 1;
      if (i.referencePrice !== undefined) mask |= 2;
      if (i.stp !== undefined) mask |= 4;
      if (i.phase !== undefined) mask |= 8;
      if (i.haltPauseNs !== undefined) mask |= 16;
      w.u16(mask);
      if (i.bandPct !== undefined) w.str(i.bandPct);
      if (i.referencePrice !== undefined) w.f64(i.referencePrice);
      if (i.stp !== undefined) w.u8(STP_MODES.indexOf(i.stp));
      if (i.phase !== undefined) w.u8(PHASES.indexOf(i.phase));
      if (i.haltPauseNs !== undefined) w.f64(i.haltPauseNs);
      return;
    }
    case 'place': {
      w.u8(TAG.place);
      w.str(cmd.symbol);
      w.str(cmd.orderId);
      w.str(cmd.account);
      w.u8(cmd.side === 'buy' ? 0 : 1);
      w.u8(ORDER_KINDS.indexOf(cmd.kind));
      w.f64(cmd.qty);
      let mask = 0;
      if (cmd.price !== undefined) mask |= 1;
      if (cmd.tif !== undefined) mask |= 2;
      if (cmd.postOnly !== undefined) mask |= 4;
      if (cmd.stopPrice !== undefined) mask |= 8;
      if (cmd.displayQty !== undefined) mask |= 16;
      if (cmd.expireAt !== undefined) mask |= 32;
      if (cmd.stp !== undefined) mask |= 64;
      if (cmd.clientOrderId !== undefined) mask |= 128;
      w.u16(mask);
      if (cmd.price !== undefined) w.f64(cmd.price);
      if (cmd.tif !== undefined) w.u8(TIME_IN_FORCE.indexOf(cmd.tif));
      if (cmd.postOnly !== undefined) w.u8(cmd.postOnly ? 1 : 0);
      if (cmd.stopPrice !== undefined) w.f64(cmd.stopPrice);
      if (cmd.displayQty !== undefined) w.f64(cmd.displayQty);
      if (cmd.expireAt !== undefined) w.f64(cmd.expireAt);
      if (cmd.stp !== undefined) w.u8(STP_MODES.indexOf(cmd.stp));
      if (cmd.clientOrderId !== undefined) w.str(cmd.clientOrderId);
      return;
    }
    case 'cancel':
      w.u8(TAG.cancel);
      w.str(cmd.symbol);
      w.str(cmd.orderId);
      w.str(cmd.account);
      return;
    case 'replace': {
      w.u8(TAG.replace);
      w.str(cmd.symbol);
      w.str(cmd.orderId);
      w.str(cmd.account);
      let mask = 0;
      if (cmd.price !== undefined) mask |= 1;
      if (cmd.qty !== undefined) mask |= 2;
      if (cmd.stopPrice !== undefined) mask |= 4;
      w.u16(mask);
      if (cmd.price !== undefined) w.f64(cmd.price);
      if (cmd.qty !== undefined) w.f64(cmd.qty);
      if (cmd.stopPrice !== undefined) w.f64(cmd.stopPrice);
      return;
    }
    case 'massCancel':
      w.u8(TAG.massCancel);
      w.str(cmd.account);
      w.u16(cmd.symbol !== undefined ? 1 : 0);
      if (cmd.symbol !== undefined) w.str(cmd.symbol);
      return;
    case 'phase':
      w.u8(TAG.phase);
      w.str(cmd.symbol);
      w.u8(PHASES.indexOf(cmd.phase));
      return;
    case 'clock':
      w.u8(TAG.clock);
      return;
  }
}

function pick<T extends string>(list: readonly T[], i: number, what: string): T {
  const v = list[i];
  if (v === undefined) throw new Error(`unknown ${what} code ${i}`);
  return v;
}

/**
 * Decodes a payload written by encodeCommand. `ts` comes from the record header (undefined when
 * the command had none). Throws on a payload that does not parse: CRC passed, so that is a bug
 * or a newer format.
 */
export function decodeCommand(
  bytes: Uint8Array,
  ts: number | undefined,
  start = 0,
  end = bytes.length,
): Command {
  const r = new ByteReader(bytes, start, end);
  const tag = r.u8();
  let cmd: Command;
  switch (tag) {
    case TAG.json: {
      const parsed = JSON.parse(r.str()) as Command;
      return parsed;
    }
    case TAG.instrument: {
      const symbol = r.str();
      const tickSize = r.str();
      const lotSize = r.str();
      const mask = r.u16();
      const instrument: Extract<Command, { type: 'instrument' }>['instrument'] = {
        symbol,
        tickSize,
        lotSize,
      };
      if (mask & 1) instrument.bandPct = r.str();
      if (mask & 2) instrument.referencePrice = r.f64();
      if (mask & 4) instrument.stp = pick(STP_MODES, r.u8(), 'stp');
      if (mask & 8) instrument.phase = pick(PHASES, r.u8(), 'phase');
      if (mask & 16) instrument.haltPauseNs = r.f64();
      cmd = { type: 'instrument', instrument };
      break;
    }
    case TAG.place: {
      const symbol = r.str();
      const orderId = r.str();
      const account = r.str();
      const side = pick(SIDES, r.u8(), 'side');
      const kind = pick(ORDER_KINDS, r.u8(), 'kind');
      const qty = r.f64();
      const mask = r.u16();
      const place: Extract<Command, { type: 'place' }> = {
        type: 'place',
        symbol,
        orderId,
        account,
        side,
        kind,
        qty,
      };
      if (mask & 1) place.price = r.f64();
      if (mask & 2) place.tif = pick(TIME_IN_FORCE, r.u8(), 'tif');
      if (mask & 4) place.postOnly = r.u8() === 1;
      if (mask & 8) place.stopPrice = r.f64();
      if (mask & 16) place.displayQty = r.f64();
      if (mask & 32) place.expireAt = r.f64();
      if (mask & 64) place.stp = pick(STP_MODES, r.u8(), 'stp');
      if (mask & 128) place.clientOrderId = r.str();
      cmd = place;
      break;
    }
    case TAG.cancel:
      cmd = { type: 'cancel', symbol: r.str(), orderId: r.str(), account: r.str() };
      break;
    case TAG.replace: {
      const replace: Extract<Command, { type: 'replace' }> = {
        type: 'replace',
        symbol: r.str(),
        orderId: r.str(),
        account: r.str(),
      };
      const mask = r.u16();
      if (mask & 1) replace.price = r.f64();
      if (mask & 2) replace.qty = r.f64();
      if (mask & 4) replace.stopPrice = r.f64();
      cmd = replace;
      break;
    }
    case TAG.massCancel: {
      const account = r.str();
      const mask = r.u16();
      cmd =
        mask & 1
          ? { type: 'massCancel', account, symbol: r.str() }
          : { type: 'massCancel', account };
      break;
    }
    case TAG.phase:
      cmd = { type: 'phase', symbol: r.str(), phase: pick(PHASES, r.u8(), 'phase') };
      break;
    case TAG.clock:
      if (ts === undefined) throw new Error('clock record without a timestamp');
      return { type: 'clock', ts };
    default:
      throw new Error(`unknown command tag ${tag}`);
  }
  if (ts !== undefined) cmd.ts = ts;
  return cmd;
}
