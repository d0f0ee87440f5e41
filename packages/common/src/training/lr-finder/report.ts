// Writes an LR range test's outputs: <parent>/lr_finder_<timestamp>/{lr_plot.png, results.json, lr_finder.log}.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io';
import { plotLrFinder, savePlot } from '../../viz';
import type { LrRangeTestResult } from './range-test';

/** `20261129-001500` in UTC. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** One line per iteration and a summary, as lr_finder.log holds them. */
export function lrFinderLogLines(result: LrRangeTestResult): string[] {
  const lines = result.lrs.map(
    (lr, i) =>
      `iter ${String(i + 1).padStart(4)}  lr ${lr.toExponential(4)}  loss ${result.losses[i].toFixed(5)}  smoothed ${result.smoothed[i].toFixed(5)}`,
  );
  lines.push(
    result.stoppedEarly ? `stopped early: ${result.stoppedEarly}` : `completed ${result.lrs.length} iterations`,
  );
  lines.push(`lowest smoothed loss ${result.bestLoss.toFixed(5)} at lr ${result.bestLr.toExponential(3)}`);
  lines.push(
    result.suggestion
      ? `suggested lr ${result.suggestion.lr.toExponential(3)} (${result.rule})`
      : `no suggestion: fewer than 2 points remain after skipping ${result.options.skipStart} + ${result.options.skipEnd}`,
  );
  return lines;
}

/**
 * Creates `<parentDir>/lr_finder_<UTC timestamp>/` (a numbered suffix if it exists) with the plot, the results as
 * JSON (options, the curve, the suggestion, anything in `extra`) and the log. Returns the folder.
 */
export function writeLrFinderReport(
  parentDir: string,
  result: LrRangeTestResult,
  extra: Record<string, unknown> = {},
  now = new Date(),
): string {
  const base = path.join(parentDir, `lr_finder_${timestamp(now)}`);
  let dir = base;
  for (let k = 1; fs.existsSync(dir); k++) dir = `${base}_${k}`;
  fs.mkdirSync(dir, { recursive: true });
  const results = {
    ...extra,
    options: result.options,
    suggested_lr: result.suggestion?.lr ?? null,
    suggestion_rule: result.rule,
    best_lr: result.bestLr,
    best_loss: result.bestLoss,
    stopped_early: result.stoppedEarly,
    history: { lr: result.lrs, loss: result.losses, smoothed_loss: result.smoothed },
  };
  writeFileAtomic(path.join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(path.join(dir, 'lr_finder.log'), `${lrFinderLogLines(result).join('\n')}\n`);
  if (result.lrs.length >= 2)
    savePlot(plotLrFinder({ ...result, suggestion: result.suggestion }), path.join(dir, 'lr_plot.png'));
  return dir;
}
