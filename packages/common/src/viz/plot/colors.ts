// The categorical palette plots share: matplotlib's tab10 (vega's 'category10'), then golden-angle hues.

/** matplotlib's tab10. */
export const CATEGORY_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** The i-th categorical colour: tab10, then evenly spread hues (golden angle) for more than ten classes. */
export function categoryColor(i: number): string {
  if (i < CATEGORY_COLORS.length) return CATEGORY_COLORS[i];
  const hue = (i * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, 65%, 45%)`;
}
