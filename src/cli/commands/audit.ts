import type { Command } from 'commander';

// Placeholder until its issue lands; replaced by the real command.
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('(not built yet)')
    .action(() => {
      console.error('crossbook audit is not built yet');
      process.exit(2);
    });
}
