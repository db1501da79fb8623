import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerLobster(program: Command): void {
  program
    .command('lobster')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook lobster is not built yet');
      process.exit(2);
    });
}
