/**
 * The simulated participants' own accounts, created in the venue's key store on first use and
 * found again on later starts (the store keeps each secret encrypted, so nothing is written
 * elsewhere).
 */
import type { ApiKeyPair } from '../gateway/index.js';

export const SIM_MAKERS = ['sim-mm-1', 'sim-mm-2'] as const;
export const SIM_TAKERS = ['sim-taker-1', 'sim-taker-2'] as const;

/** The part of the store this needs (structural, so that simulate does not depend on store). */
export interface KeyStore {
  addApiKey(o: { account: string; role?: 'trader' | 'admin' }): Promise<ApiKeyPair>;
  listApiKeys(account?: string): Promise<{ keyId: string; revokedAt: number | null }[]>;
  findApiKey(keyId: string): Promise<{ secret: string; revokedAt: number | null } | null>;
}

/** True when this venue already has simulation accounts (it was started with the simulation). */
export async function hasSimAccounts(store: KeyStore): Promise<boolean> {
  for (const a of [...SIM_MAKERS, ...SIM_TAKERS]) {
    if ((await store.listApiKeys(a)).length > 0) return true;
  }
  return false;
}

async function keyOf(store: KeyStore, account: string): Promise<ApiKeyPair> {
  for (const k of await store.listApiKeys(account)) {
    if (k.revokedAt !== null) continue;
    const full = await store.findApiKey(k.keyId);
    if (full !== null && full.revokedAt === null) return { keyId: k.keyId, secret: full.secret };
  }
  return store.addApiKey({ account, role: 'trader' });
}

/** A live key for every simulation account, creating the accounts that have none. */
export async function simAccountKeys(
  store: KeyStore,
): Promise<{ makers: ApiKeyPair[]; takers: ApiKeyPair[] }> {
  const makers: ApiKeyPair[] = [];
  const takers: ApiKeyPair[] = [];
  for (const a of SIM_MAKERS) makers.push(await keyOf(store, a));
  for (const a of SIM_TAKERS) takers.push(await keyOf(store, a));
  return { makers, takers };
}
