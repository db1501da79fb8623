/**
 * `crossbook load`: drives a running server over WebSocket from worker threads, open loop at a
 * fixed offered rate (or closed loop with --rate 0), and reports acknowledged orders/s and HDR ack
 * latency percentiles. Latency is measured from the send to the reply on the same connection; the
 * warm-up is excluded. Workers run compiled JS from dist/.
 */
export { runLoad, type LoadOptions, type LoadReport } from './load-runner.js';
