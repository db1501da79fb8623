import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerAccounts(program: Command): void {
  program
    .command('accounts')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook accounts is not built yet');
      process.exit(2);
    });
}
