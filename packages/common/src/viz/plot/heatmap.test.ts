import { plotHeatmap } from './heatmap';
import { renderPlotPng } from './render';

/** Vega writes every cell with an aria-label of its fields ("window: 4.0 s; row: Blip; value: 0.4") and its fill. */
function cells(svg: string): { label: string; fill: string }[] {
  return [...svg.matchAll(/<path [^>]*aria-roledescription="rect mark"[^>]*>/g)].map((m) => ({
    label: /aria-label="([^"]*)"/.exec(m[0])![1],
    fill: /fill="([^"]*)"/.exec(m[0])![1],
  }));
}
const cellTexts = (svg: string) =>
  [...svg.matchAll(/aria-roledescription="text mark"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('plotHeatmap', () => {
  const matrix = [
    [0.1, 0.2, 0.3, 0.4],
    [0.7, 0.1, 0.1, 0.1],
  ];

  it('draws a viridis cell per value, row by row, with the values written in', () => {
    const plot = plotHeatmap(matrix, ['Blip', 'Whistle'], ['0.5 s', '1.0 s', '2.0 s', '4.0 s'], {
      title: 'view attention',
      xLabel: 'window',
    });
    const drawn = cells(plot.svg);
    expect(drawn).toHaveLength(8);
    expect(drawn[3].label).toContain('window: 4.0 s');
    expect(drawn[4].fill).toBe('rgb(253, 231, 37)'); // the maximum, 0.7: viridis(1)
    expect(drawn[0].fill).toBe('rgb(68, 1, 84)'); // the minimum, 0.1: viridis(0)
    expect(cellTexts(plot.svg)).toEqual(['0.10', '0.20', '0.30', '0.40', '0.70', '0.10', '0.10', '0.10']);
    for (const text of ['Whistle', '4.0 s', 'view attention', 'window']) expect(plot.svg).toContain(`>${text}<`);
    expect(renderPlotPng(plot).subarray(1, 4).toString()).toBe('PNG');
  });

  it('uses a given colour range and rejects mismatched labels or non-finite values', () => {
    const full = cells(plotHeatmap([[0, 1]], ['a'], ['x', 'y'], { range: [0, 2] }).svg);
    expect(full[1].fill).not.toBe('rgb(253, 231, 37)'); // 1 is the middle of [0, 2], not the top
    expect(() => plotHeatmap(matrix, ['a'], ['w', 'x', 'y', 'z'])).toThrow(
      /1 row and 4 column labels for a 2x4 matrix/,
    );
    expect(() => plotHeatmap([[1, NaN]], ['a'], ['x', 'y'])).toThrow(/cell \[0\]\[1\] = NaN/);
  });
});
