import { rgbHex, viridis } from './colors';
import { plotHeatmap } from './heatmap';
import { renderPlotPng } from './render';

describe('plotHeatmap', () => {
  const matrix = [
    [0.1, 0.2, 0.3, 0.4],
    [0.7, 0.1, 0.1, 0.1],
  ];

  it('colours each cell by its value between min and max and writes the values', () => {
    const plot = plotHeatmap(matrix, ['Blip', 'Whistle'], ['0.5 s', '1.0 s', '2.0 s', '4.0 s'], { title: 'view attention', xLabel: 'window' });
    const fills = [...plot.svg.matchAll(/<rect[^>]*class="cell"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(fills).toHaveLength(8);
    const expected = matrix.flat().map((v) => rgbHex(viridis((v - 0.1) / 0.6)));
    expect(fills).toEqual(expected);
    for (const text of ['0.70', '0.40', 'Whistle', '4.0 s', 'view attention', 'window']) expect(plot.svg).toContain(`>${text}<`);
    const png = renderPlotPng(plot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('uses a given colour range and rejects mismatched labels or non-finite values', () => {
    const plot = plotHeatmap(matrix, ['a', 'b'], ['w', 'x', 'y', 'z'], { range: [0, 1] });
    expect(plot.svg).toContain(`fill="${rgbHex(viridis(0.7))}"`);
    expect(() => plotHeatmap(matrix, ['a'], ['w', 'x', 'y', 'z'])).toThrow(/1 row and 4 column labels for a 2x4 matrix/);
    expect(() => plotHeatmap([[1, NaN]], ['a'], ['x', 'y'])).toThrow(/cell \[0\]\[1\] = NaN/);
  });
});
