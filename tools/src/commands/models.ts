// `tools models`: every architecture in common's model registry with its parameter count (as PyTorch counts them:
// BatchNorm running statistics excluded) at a given number of classes, sorted by name.
import {
  countTorchParameters,
  createModel,
  describeModel,
  initBackend,
  listModelAliases,
  listModels,
} from '@research/common';
import type { Command } from 'commander';

export interface ModelsCommandOptions {
  numClasses?: string;
  json?: boolean;
}

export interface ModelRow {
  name: string;
  parameters: number;
  description: string;
}

/**
 * Builds each registered model once (at its default input shape) to count its parameters; `init: 'zeros'` lets the
 * architectures that support it (HRNet: W64 has 128M weights) skip their random draws.
 */
export function listModelRows(numClasses: number): ModelRow[] {
  return listModels().map((name) => {
    const model = createModel(name, { numClasses, init: 'zeros' });
    try {
      return { name, parameters: countTorchParameters(model), description: describeModel(name) };
    } finally {
      model.dispose();
    }
  });
}

/** The table, then one line naming the aliases (other libraries' names, e.g. timm's) if there are any. */
export function formatModelRows(rows: ModelRow[], aliases: [string, string][] = []): string[] {
  const nameWidth = Math.max(4, ...rows.map((r) => r.name.length));
  const counts = rows.map((r) => r.parameters.toLocaleString('en-US'));
  const countWidth = Math.max(10, ...counts.map((c) => c.length));
  return [
    `${'name'.padEnd(nameWidth)}  ${'parameters'.padStart(countWidth)}  description`,
    ...rows.map((r, i) => `${r.name.padEnd(nameWidth)}  ${counts[i].padStart(countWidth)}  ${r.description}`),
    ...(aliases.length ? [`aliases: ${aliases.map(([alias, target]) => `${alias} = ${target}`).join(', ')}`] : []),
  ];
}

export function parseNumClasses(value: string | undefined): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new Error(`--num-classes: expected a positive integer, got '${value}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('models')
    .description(
      'list every registered model architecture with its parameter count (BatchNorm buffers excluded, as torch counts)',
    )
    .option('--num-classes <n>', 'number of output classes to count at', '1000')
    .option('--json', 'print [{"name", "parameters", "description"}] as JSON')
    .action(async (o: ModelsCommandOptions) => {
      const numClasses = parseNumClasses(o.numClasses);
      await initBackend('auto', { log: () => undefined });
      const rows = listModelRows(numClasses);
      if (o.json) console.log(JSON.stringify(rows, null, 2));
      else for (const line of formatModelRows(rows, listModelAliases())) console.log(line);
    });
}
