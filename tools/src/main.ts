// The `tools` CLI. Each command lives in src/commands/<name>.ts and registers itself on the program.
import { Command } from 'commander';
import { commands } from './commands';

const program = new Command('tools').description(
  'Research monorepo tools: assets, environment, TDA and training commands',
);
for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
