// The topology report of a trained network: per-layer train/val diagrams (JSON, "inf" for essential classes),
// the distances table (JSON and markdown) and diagram / barcode plots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plotBarcode, savePlot, writeDiagramsFile, writeFileAtomic, writeJsonAtomic } from '@research/common';
import { GAP_DISTANCE_KEYS } from './gap';
import { type TopologyMeasurement, plotLayerDiagrams } from './monitor';

export interface ReportContext {
  checkpoint: string;
  experiment: string;
  samples: number;
  reduction: string;
}

const fmt = (v: number): string => (v === Infinity ? 'inf' : v.toFixed(4));

/** Markdown table: one row per layer with the four distances, then the topological gap. */
export function distancesMarkdown(measurement: TopologyMeasurement, ctx: ReportContext): string {
  const lines = [
    `# Topology of ${ctx.experiment}`,
    '',
    `Checkpoint \`${ctx.checkpoint}\`; ${ctx.samples} train and ${ctx.samples} validation images; points: ${ctx.reduction};`,
    "both clouds divided by the train cloud's mean pairwise distance (`scale`). Distances between the train and",
    'validation Vietoris-Rips diagrams (bottleneck, 1-Wasserstein with the L-inf ground metric).',
    '',
    `| layer | dim | scale | ${GAP_DISTANCE_KEYS.join(' | ')} |`,
    `| --- | --- | --- | ${GAP_DISTANCE_KEYS.map(() => '---').join(' | ')} |`,
  ];
  for (const [key, gap] of measurement.gaps) {
    lines.push(
      `| ${key} | ${gap.dim} | ${fmt(gap.scale)} | ${GAP_DISTANCE_KEYS.map((d) => fmt(gap.distances[d])).join(' | ')} |`,
    );
  }
  lines.push('', `topo_gap (mean over layers of W1(H0) + W1(H1)): ${fmt(measurement.metrics.topo_gap)}`, '');
  return lines.join('\n');
}

/** Writes the report into `dir`; returns the files written. */
export function writeTopologyReport(dir: string, measurement: TopologyMeasurement, ctx: ReportContext): string[] {
  const files: string[] = [];
  fs.mkdirSync(path.join(dir, 'diagrams'), { recursive: true });
  for (const [key, gap] of measurement.gaps) {
    for (const [split, diagrams] of [
      ['train', gap.train],
      ['val', gap.val],
    ] as const) {
      const file = path.join(dir, 'diagrams', `${key}.${split}.json`);
      writeDiagramsFile(file, diagrams);
      files.push(file);
      files.push(
        ...savePlot(
          plotBarcode(diagrams, { title: `${key} ${split}` }),
          path.join(dir, 'plots', `${key}_${split}_barcode.png`),
        ),
      );
    }
  }
  files.push(
    ...plotLayerDiagrams(measurement.gaps, [...measurement.gaps.keys()], path.join(dir, 'plots'), ctx.experiment),
  );
  const table = [...measurement.gaps].map(([layer, gap]) => ({
    layer,
    dim: gap.dim,
    scale: gap.scale,
    ...gap.distances,
  }));
  const json = path.join(dir, 'distances.json');
  writeJsonAtomic(json, { ...ctx, topo_gap: measurement.metrics.topo_gap, layers: table });
  const md = path.join(dir, 'distances.md');
  writeFileAtomic(md, distancesMarkdown(measurement, ctx));
  files.push(json, md);
  return files;
}
