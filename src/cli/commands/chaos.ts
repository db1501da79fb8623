import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook chaos is not built yet');
      process.exit(2);
    });
}
