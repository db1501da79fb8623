import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerJournal(program: Command): void {
  program
    .command('journal')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook journal is not built yet');
      process.exit(2);
    });
}
