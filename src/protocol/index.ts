/**
 * Wire formats of crossbook: the replay protocol (JSON Lines, docs/protocol.md) and the decimal
 * <-> integer mapping shared with the HTTP / WebSocket gateway.
 *
 * API (pure, no I/O):
 * - `InstrumentRegistry`: symbol -> tick/lot units, learnt only from the engine's `instrument`
 *   events (`observe` / `observeAll`), so the engine alone decides duplicates.
 * - `parseCommand(obj, registry)`: an already-parsed JSON value -> `{ ok: true, command }` (an
 *   integer core command) or `{ ok: false, reason, message, orderId?, symbol?,
 *   account? }`. Never throws.
 * - `formatEvent(event, registry, { ts? })`: an engine event -> wire object with decimal strings.
 *   Observe an `instrument` event before formatting events of that symbol.
 * - `decodeLine(text, line, registry)` / `encodeLine(seq, wireEvent)`: the JSONL line codec.
 * - `readLineBatches(stream)` / `LineWriter` (jsonl-io.ts, the only file with node I/O):
 *   streaming line input with backpressure and batched output that waits for `drain`.
 *
 * Ordering: edge checks run structure (malformed) -> symbol (unknown_symbol) -> values
 * (invalid_price, price_off_tick, invalid_qty, qty_off_lot, too_large), so a reason names the
 * first thing to fix. Everything that needs book or order state (duplicate ids, unknown orders,
 * post-only, bands, phases) is decided by the engine.
 * Limits: decimals up to 40 characters, no exponent form; a JSON number must be exact in its
 * shortest text; price x quantity must fit 2^53 tick-lots. Output `seq` belongs to the writer:
 * it counts output lines of one run and is not the engine's internal sequence.
 */
export { InstrumentRegistry, type InstrumentUnits } from './instrument-registry.js';
export { parseCommand, COMMAND_TYPES, type ParseResult } from './parse-command.js';
export { formatEvent, type FormatOptions, type WireEvent } from './format-event.js';
export { decodeLine, encodeLine, type DecodedLine } from './line-codec.js';
export { textToSteps } from './fast-decimal.js';
export { readLineBatches, LineWriter, MAX_LINE_CHARS, type LineBatch } from './jsonl-io.js';
