import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { plotPersistenceDiagram } from './persistence';
import { plotFontFile, renderPlotPng, savePlot, svgToPng } from './render';
import { plotTrainingCurves } from './training-curves';

const textSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="28" font-family="sans-serif" font-size="24">Hi ∞</text></svg>';
const darkPixels = (png: Buffer) => {
  const { data } = PNG.sync.read(png);
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) dark++;
  return dark;
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plot-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PNG rendering', () => {
  it('renders a plot to a PNG of its size, or scaled', () => {
    const plot = plotTrainingCurves({ loss: [3, 2, 1] });
    const png = PNG.sync.read(renderPlotPng(plot));
    expect([png.width, png.height]).toEqual([plot.width, plot.height]);
    const big = PNG.sync.read(renderPlotPng(plot, { scale: 2 }));
    expect([big.width, big.height]).toEqual([2 * plot.width, 2 * plot.height]);
    // A white background with dark axes and a coloured line on it.
    expect([...png.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    let blue = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 80 && png.data[i + 2] > 150) blue++;
    expect(blue).toBeGreaterThan(50);
  });

  it('draws text with the discovered font, and renders without text (no crash) when there is no font', () => {
    const font = plotFontFile();
    // On machines without any font file, plotFontFile() is null; here (and on CI with fonts-dejavu-core) it is found.
    if (font !== null) {
      expect(fs.existsSync(font)).toBe(true);
      expect(darkPixels(svgToPng(textSvg))).toBeGreaterThan(50);
    }
    expect(darkPixels(svgToPng(textSvg, { fontFiles: [] }))).toBe(0);
    const withoutFonts = PNG.sync.read(
      svgToPng(plotPersistenceDiagram([{ dim: 0, pairs: [[0, Infinity]] }]).svg, { fontFiles: [] }),
    );
    expect(withoutFonts.width).toBe(520);
  });

  it('rejects a bad scale', () => {
    expect(() => svgToPng(textSvg, { scale: 0 })).toThrow('svgToPng: scale must be > 0, got 0');
  });
});

describe('savePlot', () => {
  const plot = plotTrainingCurves({ loss: [1, 0.5] });

  it('writes SVG and PNG for a path without extension, one file otherwise, and no temporary files', () => {
    expect(savePlot(plot, path.join(dir, 'a', 'curves'))).toEqual([
      path.join(dir, 'a', 'curves.svg'),
      path.join(dir, 'a', 'curves.png'),
    ]);
    expect(fs.readFileSync(path.join(dir, 'a', 'curves.svg'), 'utf8')).toBe(plot.svg);
    expect(PNG.sync.read(fs.readFileSync(path.join(dir, 'a', 'curves.png'))).width).toBe(plot.width);
    savePlot(plot, path.join(dir, 'only.png'), { scale: 2 });
    expect(PNG.sync.read(fs.readFileSync(path.join(dir, 'only.png'))).width).toBe(2 * plot.width);
    savePlot(plot, path.join(dir, 'only.svg'));
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'only.png', 'only.svg']);
    expect(fs.readdirSync(path.join(dir, 'a')).sort()).toEqual(['curves.png', 'curves.svg']);
  });

  it('replaces an existing file and leaves nothing behind when writing fails', () => {
    const target = path.join(dir, 'p.svg');
    fs.writeFileSync(target, 'old');
    savePlot(plot, target);
    expect(fs.readFileSync(target, 'utf8')).toBe(plot.svg);
    fs.mkdirSync(path.join(dir, 'taken.svg'));
    expect(() => savePlot(plot, path.join(dir, 'taken.svg'))).toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['p.svg', 'taken.svg']);
  });
});
