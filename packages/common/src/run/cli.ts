// The command line every app shares (LightningCLI's role): `train` and `evaluate`, the same options and
// `key=value` / `group=option` / `+key=value` overrides everywhere, and `--help` that lists configs, groups and keys.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AppDefinition } from './app';
import { evaluateOnnx } from './evaluate-onnx';
import { evaluateRun } from './evaluate-run';
import { registerExport } from './export-command';
import { configHelp, configYaml } from './help';
import { runConfig, trainRun } from './train-run';

function integer(text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new InvalidArgumentError(`expected an integer, got '${text}'`);
  return value;
}

interface TrainFlags {
  config?: string;
  cfg?: string;
  epochs?: number;
  seed?: number;
  resume?: string;
  outputDir?: string;
  printConfig?: boolean;
  progress: boolean;
}

/** The app's commander program; `extend` adds app-specific commands (hrnet's `analyze`, ...). */
export function appProgram<C extends object>(app: AppDefinition<C>, extend?: (program: Command) => void): Command {
  const program = new Command(app.project)
    .description(app.description)
    .showSuggestionAfterError()
    .showHelpAfterError('(add --help for usage)');
  program
    .command('train')
    .description(`train (a run folder under assets/outputs/${app.project}/<experiment>/<timestamp>)`)
    .argument('[overrides...]', 'config overrides: key=value, group=option, +key=value, ~key')
    .option('--config <name>', `root config (default ${app.defaultConfig})`)
    .addOption(new Option('--cfg <name>', 'alias of --config').hideHelp(false))
    .option('--epochs <n>', `sets ${app.keys.epochs}`, integer)
    .option('--seed <n>', `sets ${app.keys.seed}`, integer)
    .option('--resume <run>', 'continue a run: its folder or a checkpoint in it (default checkpoints/last)')
    .option('--output-dir <dir>', `parent of <experiment>/<timestamp> (default assets/outputs/${app.project})`)
    .option('--print-config', 'print the composed config and exit (Hydra --cfg job)')
    .option('--no-progress', 'no progress bar or lines')
    .addHelpText('after', () => configHelp(app))
    .action(async (overrides: string[], flags: TrainFlags) => {
      if (flags.config && flags.cfg && flags.config !== flags.cfg)
        throw new Error(`--config ${flags.config} and --cfg ${flags.cfg} disagree`);
      const opts = {
        config: flags.config ?? flags.cfg,
        overrides,
        epochs: flags.epochs,
        seed: flags.seed,
        resume: flags.resume,
        outputRoot: flags.outputDir,
        progress: flags.progress,
        command: `${app.project} train ${process.argv.slice(3).join(' ')}`.trim(),
      };
      if (flags.printConfig) {
        process.stdout.write(configYaml(runConfig(app, opts).config));
        return;
      }
      await trainRun(app, opts);
    });
  program
    .command('evaluate')
    .description("evaluate a run's checkpoint on the test split with the run's config")
    .argument('[overrides...]', "changes to the run's config: key=value")
    .requiredOption(
      '--checkpoint <path>',
      'a run folder (its best checkpoint) or a .safetensors file in <run>/checkpoints/',
    )
    .option('--onnx <file>', "evaluate this ONNX export through onnxruntime instead (the run's test split)")
    .action(async (overrides: string[], flags: { checkpoint: string; onnx?: string }) => {
      if (flags.onnx) await evaluateOnnx(app, { onnx: flags.onnx, target: flags.checkpoint, overrides });
      else await evaluateRun(app, { target: flags.checkpoint, overrides });
    });
  registerExport(program, app);
  extend?.(program);
  return program;
}

/**
 * Ends this process when the process that started it dies (`npx nx run` killed: the training must not run on as an
 * orphan). A dead parent shows as a new parent pid (the orphan is adopted by init or a subreaper).
 */
export function exitWithParent(intervalMs = 1000): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      process.stderr.write(`the parent process (pid ${parent}) ended: stopping\n`);
      process.exit(143);
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

/** Runs the app's command line; an error prints its message (no stack) and sets exit code 1. */
export async function runApp<C extends object>(
  app: AppDefinition<C>,
  extend?: (program: Command) => void,
  argv = process.argv,
): Promise<void> {
  exitWithParent();
  try {
    await appProgram(app, extend).parseAsync(argv);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
