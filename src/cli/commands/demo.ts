import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook demo is not built yet');
      process.exit(2);
    });
}
