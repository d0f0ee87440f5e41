// `npx nx run triplet-vae:train -- [--config fashionmnist|mnist|cifar10] [--epochs N] [--seed N] [--resume <checkpoint>] [key=value ...]`
import { intOption, parseArgs } from './cli';
import { train } from './run';

async function main(): Promise<void> {
  const { options, overrides } = parseArgs(process.argv.slice(2), ['config', 'epochs', 'seed', 'resume', 'output-dir']);
  await train({
    configName: options.config,
    overrides,
    epochs: intOption(options, 'epochs', 1),
    seed: intOption(options, 'seed'),
    resume: options.resume,
    outputRoot: options['output-dir'],
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
