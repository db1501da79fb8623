/**
 * The FIX 4.4 gateway (docs/fix.md): a third adapter beside HTTP and WebSocket over the same
 * OrderService, API keys, risk checks, order registry and market data.
 *
 * Wire and session layer: jspurefix (parser, encoder, sequence numbers, heartbeats, TestRequest,
 * ResendRequest with PossDupFlag / gap fill, SequenceReset, Logout, per-SenderCompID file store).
 * Added on top (session.ts): the logon verdict, resends served from the file store so they
 * survive a restart, and RefTagID on the library's own Rejects.
 *
 * Invariants:
 * - Nothing malformed reaches the engine: a message with a bad checksum, an unknown MsgType, a
 *   missing required tag or a malformed value is answered with Reject (3) / 373 before any
 *   OrderService call; the service then applies exactly the HTTP API's validation and risk.
 * - TargetCompID is CROSSBOOK; a SenderCompID is bound to the API key of its first logon
 *   (DATA_DIR/fix/compids.json) and refused with any other key.
 * - Sequence numbers are never reset by the server: only a client Logon with 141=Y resets them.
 *   They and the sent messages live in DATA_DIR/fix/store and survive restarts.
 * - Execution reports come from the order registry's stream, after the command is durable, in
 *   engine order; ExecID is derived from the order id and the engine's own ids, so it is the
 *   same after a restart. OrderID (37) is the API's orderId.
 * - A ClOrdID of a cancel or replace is an alias of the order (DATA_DIR/fix/clordids.jsonl);
 *   OrigClOrdID names the latest one of the chain.
 * Performance: per message O(1) plus the service's own cost; market data fan-out is O(subscribed
 * sessions) per book update.
 */
export { FixGateway, type FixGatewayOptions } from './gateway.js';
export { FixAdapter, TARGET_COMP_ID, logonPayload, type LogonFields } from './adapter.js';
