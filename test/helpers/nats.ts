/**
 * nats-server for the cluster tests: found on the machine (Debian's package), started by the test
 * itself on 127.0.0.1 (src/cluster/local-nats.ts). Missing binary: a LOUD skip, or a failure when
 * CROSSBOOK_REQUIRE_SYSTEM_DEPS=1.
 */
import { findNatsServer } from '../../src/cluster/index.js';

/** The nats-server path, or null after a loud warning (throws under CROSSBOOK_REQUIRE_SYSTEM_DEPS=1). */
export function natsServerOrSkip(): string | null {
  const bin = findNatsServer();
  if (bin !== null) return bin;
  const msg = 'NATS cluster tests skipped: nats-server not found (apt-get install nats-server)';
  if (process.env.CROSSBOOK_REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`${msg} (CROSSBOOK_REQUIRE_SYSTEM_DEPS=1)`);
  console.warn(`\n*** ${msg} ***\n`);
  return null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `f` until it returns true, or throws `what` after `ms`. */
export async function until(
  what: string,
  f: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
