/**
 * TEST ONLY: an engine process with fencing switched off (no expected-sequence check, a lost lease
 * ignored): the deliberately broken variant the checker must catch. Run through tsx:
 *   node --import tsx test/helpers/cluster-engine-child.ts URLS NODE LEASE_MS
 * It is not reachable from the CLI.
 */
import { EngineNode } from '../../src/cluster/index.js';

const [urls, node, leaseMs] = process.argv.slice(2);
const e = new EngineNode({
  urls,
  node,
  leaseMs: Number(leaseMs),
  unsafeNoFencing: true,
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});
await e.start();
process.on('SIGTERM', () => {
  void e.close().then(() => process.exit(0));
});
