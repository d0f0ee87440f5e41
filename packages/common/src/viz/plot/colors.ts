// Colours: a categorical palette for classes and series, and viridis for heatmaps.

/** matplotlib's tab10. */
export const CATEGORY_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The i-th categorical colour: tab10, then evenly spread hues (golden angle) for more than ten classes. */
export function categoryColor(i: number): string {
  if (i < CATEGORY_COLORS.length) return CATEGORY_COLORS[i];
  const hue = (i * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, 65%, 45%)`;
}

// viridis sampled at 0, 1/8, ..., 1 (matplotlib), interpolated linearly in between.
const VIRIDIS: Array<[number, number, number]> = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37],
];

/** viridis(t) for t in [0, 1] (clamped) as [r, g, b]. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(VIRIDIS[i][c] + (VIRIDIS[i + 1][c] - VIRIDIS[i][c]) * f)) as [number, number, number];
}

export function rgbHex([r, g, b]: [number, number, number]): string {
  return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** Black or white, whichever reads better on the given background. */
export function textColorOn([r, g, b]: [number, number, number]): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? 'black' : 'white';
}
