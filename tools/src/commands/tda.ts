// `tools tda diagram` and `tools tda distance`: persistence diagrams of point clouds and distances between them.
import {
  bottleneckDistance,
  readDiagramsFile,
  readPointsFile,
  ripsPersistence,
  wassersteinDistance,
  writeDiagramsFile,
  type PersistenceDiagram,
} from '@research/common';
import type { Command } from 'commander';

export interface DiagramCommandOptions {
  points: string;
  out: string;
  maxDim?: string;
  threshold?: string;
}

export interface DistanceCommandOptions {
  metric?: string;
  order?: string;
  dim?: string;
  json?: boolean;
}

function parseNumberOption(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || Number.isNaN(x) || (integer && !Number.isInteger(x)))
    throw new Error(`--${name}: expected ${integer ? 'an integer' : 'a number'}, got '${value}'`);
  return x;
}

/** Reads points, computes the Rips diagrams and writes them (temporary file + rename); returns a summary line. */
export function runDiagram(o: DiagramCommandOptions): string {
  const maxDim = parseNumberOption('max-dim', o.maxDim, 1, true);
  const threshold = parseNumberOption('threshold', o.threshold, Infinity);
  const points = readPointsFile(o.points);
  const started = performance.now();
  const diagrams = ripsPersistence(points, { maxDim, threshold });
  const seconds = (performance.now() - started) / 1000;
  writeDiagramsFile(o.out, diagrams);
  const counts = diagrams.map((d) => `H${d.dim} ${d.pairs.length} pairs`).join(', ');
  return `${o.out}: ${points.rows} points in ${points.cols}-D -> ${counts} (${seconds.toFixed(3)} s)`;
}

/** The distance per homology dimension found in either file (a dimension missing from one file is empty there). */
export function runDistance(
  fileA: string,
  fileB: string,
  o: DistanceCommandOptions,
): { metric: string; distances: { dim: number; value: number }[] } {
  const metric = o.metric ?? 'bottleneck';
  if (metric !== 'bottleneck' && metric !== 'wasserstein')
    throw new Error(`--metric: expected 'bottleneck' or 'wasserstein', got '${metric}'`);
  const order = parseNumberOption('order', o.order, 1);
  const a = readDiagramsFile(fileA);
  const b = readDiagramsFile(fileB);
  const pairsOf = (diagrams: PersistenceDiagram[], dim: number) =>
    diagrams.filter((d) => d.dim === dim).flatMap((d) => d.pairs);
  const dims =
    o.dim !== undefined
      ? [parseNumberOption('dim', o.dim, 0, true)]
      : [...new Set([...a, ...b].map((d) => d.dim))].sort((x, y) => x - y);
  const distances = dims.map((dim) => {
    const pa = pairsOf(a, dim);
    const pb = pairsOf(b, dim);
    return {
      dim,
      value: metric === 'bottleneck' ? bottleneckDistance(pa, pb) : wassersteinDistance(pa, pb, { order }),
    };
  });
  return { metric: metric === 'wasserstein' ? `wasserstein-${order}` : metric, distances };
}

const formatValue = (x: number): string => (x === Infinity ? 'inf' : String(x));

export function register(program: Command): void {
  const tda = program
    .command('tda')
    .description('topological data analysis: Vietoris-Rips persistence diagrams and distances between them');

  tda
    .command('diagram')
    .description('H0/H1 Vietoris-Rips persistence diagrams of a point cloud, written as JSON (infinity as "inf")')
    .requiredOption(
      '--points <file>',
      'points as .csv (rows of numbers), .json ([[x, y, ...], ...]) or .npy (2-D float32/float64)',
    )
    .requiredOption('--out <file>', 'the diagrams JSON to write')
    .option('--max-dim <k>', 'highest homology dimension, 0 or 1', '1')
    .option('--threshold <r>', 'largest edge length (default: no limit)')
    .action((o: DiagramCommandOptions) => {
      console.log(runDiagram(o));
    });

  tda
    .command('distance')
    .description('bottleneck or Wasserstein distance between two diagrams JSON files, per homology dimension')
    .argument('<a>', 'diagrams JSON')
    .argument('<b>', 'diagrams JSON')
    .option('--metric <name>', 'bottleneck or wasserstein', 'bottleneck')
    .option('--order <p>', 'Wasserstein order p >= 1', '1')
    .option('--dim <k>', 'only this homology dimension (prints the bare value)')
    .option('--json', 'print {"metric", "distances": [{"dim", "value"}]} as JSON (infinity as "inf")')
    .action((a: string, b: string, o: DistanceCommandOptions) => {
      const result = runDistance(a, b, o);
      if (o.json) {
        const distances = result.distances.map((d) => ({ dim: d.dim, value: d.value === Infinity ? 'inf' : d.value }));
        console.log(JSON.stringify({ metric: result.metric, distances }));
      } else if (o.dim !== undefined) console.log(formatValue(result.distances[0].value));
      else for (const d of result.distances) console.log(`H${d.dim}\t${formatValue(d.value)}`);
    });
}
