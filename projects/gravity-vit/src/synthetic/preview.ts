// A picture of the synthetic classes: one glitch per class, its four windows side by side.
import { createRng, imageGrid, mixSeeds, savePlot } from '@research/common';
import { DURATIONS, GRAVITY_SPY_CLASSES, VIEW_HEIGHT, VIEW_WIDTH } from '../data';
import { GLITCHES } from './glitches';
import { amplitudeOfSnr, renderViews } from './render';

/** Writes `<target>.png`: 22 rows (classes) x 4 columns (0.5, 1.0, 2.0, 4.0 s) at SNR 30. */
export function saveSyntheticPreview(target: string, seed = 0): string[] {
  const tiles = [];
  const labels = [];
  for (const [c, label] of GRAVITY_SPY_CLASSES.entries()) {
    const rng = createRng(mixSeeds(seed, 1000 + c));
    const views = renderViews(GLITCHES[label](rng), amplitudeOfSnr(30), rng);
    for (const [v, d] of DURATIONS.entries()) {
      tiles.push({ data: views[v], width: VIEW_WIDTH, height: VIEW_HEIGHT, channels: 1 });
      labels.push(`${label} ${d}s`);
    }
  }
  return savePlot(imageGrid(tiles, { cols: DURATIONS.length, labels }), target);
}
