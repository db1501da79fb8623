import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook serve is not built yet');
      process.exit(2);
    });
}
