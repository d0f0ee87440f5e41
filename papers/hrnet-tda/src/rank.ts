// `nx run hrnet:rank <run dir> <run dir> ...`: ranks finished runs (e.g. a hyperparameter sweep) by their
// topological train/val gap at the selected epoch, and reports how the gap correlates with the generalisation gap.
import { parseArgs } from 'util';
import { pearson, rankRuns, readRunSummary, spearman } from './topology/rank';

try {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new Error('usage: rank <run dir> [<run dir> ...]');
  const ranked = rankRuns(positionals.map(readRunSummary));
  console.log('| rank | topo_gap | val top-1 | test top-1 | generalisation gap | run |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  ranked.forEach((r, i) => console.log(`| ${i + 1} | ${r.topoGap.toFixed(4)} | ${(100 * r.valTop1).toFixed(2)} | ${(100 * r.testTop1).toFixed(2)} | ${(100 * r.generalizationGap).toFixed(2)} | ${r.runDir} |`));
  if (ranked.length >= 3) {
    const g = ranked.map((r) => r.topoGap);
    const e = ranked.map((r) => r.generalizationGap);
    console.log(`\ntopo_gap vs generalisation gap: Pearson ${pearson(g, e).toFixed(3)}, Spearman ${spearman(g, e).toFixed(3)} (${ranked.length} runs)`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
