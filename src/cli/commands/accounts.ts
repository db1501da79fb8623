import type { Command } from 'commander';
import { resolve } from 'node:path';
import { openStore, type Store } from '../../store/index.js';

interface StoreFlags {
  store?: string;
  dataDir?: string;
}

/** The same store the server uses: --store, else CROSSBOOK_STORE, else DATA_DIR/crossbook.db. */
async function open(flags: StoreFlags): Promise<Store> {
  const dataDir = resolve(flags.dataDir ?? process.env.CROSSBOOK_DATA_DIR ?? './data');
  const url = flags.store ?? process.env.CROSSBOOK_STORE ?? `${dataDir}/crossbook.db`;
  return openStore({ url, dataDir });
}

async function withStore<T>(flags: StoreFlags, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await open(flags);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const ACCOUNT_RE = /^[A-Za-z0-9._-]{1,64}$/;

export function registerAccounts(program: Command): void {
  const accounts = program
    .command('accounts')
    .description('Manage accounts and their API keys (works while the server runs)');
  const storeOpts = (c: Command) =>
    c
      .option('--store <url>', 'SQLite path or postgres:// URL (env: CROSSBOOK_STORE)')
      .option('--data-dir <dir>', 'data directory (env: CROSSBOOK_DATA_DIR, default ./data)');

  storeOpts(
    accounts
      .command('add <name>')
      .description('Create an API key for an account; the secret is printed once')
      .option('--admin', 'give the key the admin role')
      .option('--json', 'print {"account","keyId","secret"} as JSON'),
  ).action(async (name: string, o: StoreFlags & { admin?: boolean; json?: boolean }) => {
    if (!ACCOUNT_RE.test(name)) {
      console.error('An account name is 1 to 64 letters, digits, . _ or -');
      process.exit(2);
    }
    const role = o.admin ? 'admin' : 'trader';
    const key = await withStore(o, (s) => s.addApiKey({ account: name, role }));
    if (o.json)
      console.log(JSON.stringify({ account: name, keyId: key.keyId, secret: key.secret }));
    else {
      console.log(`account ${name} (${role})\n  key    ${key.keyId}\n  secret ${key.secret}`);
      console.log('Keep the secret: it is not shown again.');
    }
  });

  storeOpts(
    accounts.command('list').description('List API keys').option('--json', 'print JSON lines'),
  ).action(async (o: StoreFlags & { json?: boolean }) => {
    const keys = await withStore(o, (s) => s.listApiKeys());
    for (const k of keys) {
      const state = k.revokedAt === null ? 'active' : 'revoked';
      if (o.json)
        console.log(JSON.stringify({ account: k.account, keyId: k.keyId, role: k.role, state }));
      else console.log(`${k.keyId}  ${k.account.padEnd(12)} ${k.role.padEnd(7)} ${state}`);
    }
    if (keys.length === 0 && !o.json) console.log('no keys');
  });

  storeOpts(accounts.command('revoke <keyId>').description('Revoke an API key')).action(
    async (keyId: string, o: StoreFlags) => {
      const ok = await withStore(o, (s) => s.revokeApiKey(keyId));
      if (!ok) {
        console.error(`No active key ${keyId}`);
        process.exit(1);
      }
      console.log(`revoked ${keyId}`);
    },
  );
}
