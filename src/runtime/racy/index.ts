/**
 * `racy`: the seed's failing design, kept to prove the chaos test catches over-execution.
 * Check liquidity, await something asynchronous, execute against the stale view. Never correct.
 */
export * from './racy-engine.js';
