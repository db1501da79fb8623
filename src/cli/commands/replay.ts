import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook replay is not built yet');
      process.exit(2);
    });
}
