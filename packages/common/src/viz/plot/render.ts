// SVG → PNG with resvg (no browser), font discovery, and atomic saving.
import { Resvg } from '@resvg/resvg-js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io';

/** A finished plot: its SVG, its size in px, and for raster plots (image grids) the exact PNG. */
export interface Plot {
  svg: string;
  width: number;
  height: number;
  png?: Buffer;
}

const FONT_DIRS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  path.join(os.homedir(), '.local/share/fonts'),
  path.join(os.homedir(), '.fonts'),
  '/Library/Fonts',
  '/System/Library/Fonts',
  'C:\\Windows\\Fonts',
];
const PREFERRED_FONTS = [
  'DejaVuSans.ttf',
  'LiberationSans-Regular.ttf',
  'NotoSans-Regular.ttf',
  'Arial.ttf',
  'arial.ttf',
  'Helvetica.ttc',
];

function listFontFiles(dir: string, depth: number, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) listFontFiles(full, depth - 1, out);
    else if (/\.(ttf|otf|ttc)$/i.test(entry.name)) out.push(full);
  }
}

let cachedFont: string | null | undefined;

/**
 * The font file plots are rendered with: $PLOT_FONT_FILE if set, else DejaVu Sans (Debian's fonts-dejavu-core) or
 * another common sans font, else any font found, else null: then PNGs are drawn without text rather than failing.
 */
export function plotFontFile(): string | null {
  if (cachedFont !== undefined) return cachedFont;
  const fromEnv = process.env.PLOT_FONT_FILE;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`PLOT_FONT_FILE=${fromEnv}: no such file (expected a .ttf/.otf font)`);
    return (cachedFont = fromEnv);
  }
  const files: string[] = [];
  for (const dir of FONT_DIRS) listFontFiles(dir, 4, files);
  const preferred = PREFERRED_FONTS.map((name) => files.find((f) => path.basename(f) === name)).find(
    (f) => f !== undefined,
  );
  return (cachedFont = preferred ?? files.find((f) => /\.(ttf|otf)$/i.test(f)) ?? null);
}

export interface RenderOptions {
  /** Pixel density: 2 gives a PNG twice the plot's size. */
  scale?: number;
  /** Fonts to use instead of `plotFontFile()`; [] renders without text. */
  fontFiles?: string[];
}

/** Renders SVG text to PNG bytes (fonts: see `plotFontFile`; resvg falls back to any loaded font for missing families). */
export function svgToPng(svg: string, options: RenderOptions = {}): Buffer {
  const { scale = 1 } = options;
  if (!(scale > 0)) throw new Error(`svgToPng: scale must be > 0, got ${scale}`);
  const font = plotFontFile();
  const fontFiles = options.fontFiles ?? (font ? [font] : []);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

/** The plot as PNG bytes (a raster plot's own PNG at scale 1). */
export function renderPlotPng(plot: Plot, options: RenderOptions = {}): Buffer {
  if (plot.png && (options.scale ?? 1) === 1) return plot.png;
  return svgToPng(plot.svg, options);
}

/**
 * Saves `file.png` or `file.svg`; a path without one of these extensions gets both. Returns the paths written.
 */
export function savePlot(plot: Plot, target: string, options: RenderOptions = {}): string[] {
  const ext = path.extname(target).toLowerCase();
  const targets = ext === '.png' || ext === '.svg' ? [target] : [`${target}.svg`, `${target}.png`];
  for (const file of targets) {
    writeFileAtomic(file, file.toLowerCase().endsWith('.svg') ? plot.svg : renderPlotPng(plot, options));
  }
  return targets;
}
