import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook load is not built yet');
      process.exit(2);
    });
}
