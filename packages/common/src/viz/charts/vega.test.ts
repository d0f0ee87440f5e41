import * as fs from 'node:fs';
import { renderVegaLite, renderVegaLiteAsync, vegaBrowserBuilds } from './vega';

const spec = {
  width: 200,
  height: 120,
  data: {
    values: [
      { x: 1, y: 2, s: 'a' },
      { x: 2, y: 3, s: 'a' },
      { x: 1, y: 1, s: 'b' },
    ],
  },
  mark: 'line',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, color: { field: 's' } },
};

describe('renderVegaLite', () => {
  it('renders synchronously exactly what vega.View.toSVG renders', async () => {
    const plot = renderVegaLite(spec);
    expect(plot.svg).toBe(await renderVegaLiteAsync(spec));
    expect(plot.svg).toMatch(new RegExp(`^<svg [^>]*width="${plot.width}" height="${plot.height}"`));
    // Two series (a, b) as two line paths, and the legend's labels.
    expect(plot.svg.match(/role-mark[^"]*"[^>]*>/g)?.length).toBeGreaterThan(0);
    expect(plot.svg.match(/<path [^>]*d="M[^"]*"[^>]*stroke="#[0-9a-f]{6}"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(plot.svg).toContain('>a</text>');
    expect(plot.svg).toContain('>b</text>');
  });

  it('names the browser builds it loads, which exist', () => {
    const files = vegaBrowserBuilds();
    expect(fs.existsSync(files.vega) && fs.existsSync(files.vegaLite)).toBe(true);
  });
});
