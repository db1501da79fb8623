import type { Command } from 'commander';
import { registerAccounts } from './accounts.js';
import { registerAudit } from './audit.js';
import { registerBench } from './bench.js';
import { registerChaos } from './chaos.js';
import { registerCluster } from './cluster.js';
import { registerDemo } from './demo.js';
import { registerEngine } from './engine.js';
import { registerJournal } from './journal.js';
import { registerLoad } from './load.js';
import { registerLobster } from './lobster.js';
import { registerReplay } from './replay.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';

export function registerCommands(program: Command): void {
  registerServe(program);
  registerSimulate(program);
  registerReplay(program);
  registerDemo(program);
  registerBench(program);
  registerChaos(program);
  registerLoad(program);
  registerLobster(program);
  registerJournal(program);
  registerAccounts(program);
  registerAudit(program);
  registerEngine(program);
  registerCluster(program);
}
