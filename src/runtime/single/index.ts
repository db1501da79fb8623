/**
 * `single`: one deterministic Exchange on the event loop; commands queued and matched one at a time
 * in submit order. The reference every other mode is compared with. Journal before release.
 */
export * from './single-engine.js';
