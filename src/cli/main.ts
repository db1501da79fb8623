/**
 * The `crossbook` command. Each subcommand lives in its own file under ./commands and registers
 * itself on the program; this file only wires them together.
 */
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('crossbook')
  .description('An exchange matching engine that never over-executes.')
  .showHelpAfterError();
registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
