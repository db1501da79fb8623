import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook bench is not built yet');
      process.exit(2);
    });
}
