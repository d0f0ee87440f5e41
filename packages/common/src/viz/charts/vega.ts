// Vega-Lite specs rendered to SVG in Node, synchronously, from the same browser builds the dashboard serves.
//
// vega's npm entry is ESM with a top-level await (vega-canvas probing for node-canvas), which neither jest's CommonJS
// mode nor Node's require(esm) can load. Its UMD build (build/vega.min.js, no dependencies) and vega-lite's
// (build/vega-lite.min.js, which requires only "vega") are plain scripts: we evaluate them with a require that hands
// vega-lite our vega. One copy of the library serves Node (PNG plots, reports) and the browser (dashboard).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plot } from '../plot/render';

/** The browser builds (UMD, globals `vega` and `vegaLite`), resolved inside node_modules: served offline, no CDN. */
export function vegaBrowserBuilds(): { vega: string; vegaLite: string } {
  // The packages export only their ESM entries; their build folders hold the UMD files next to them.
  return {
    vega: path.join(path.dirname(require.resolve('vega')), 'vega.min.js'),
    vegaLite: path.join(path.dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
  };
}

let sources: { vega: string; vegaLite: string } | undefined;

/** The text of the two browser builds, for pages that inline them (self-contained HTML that opens from disk). */
export function loadVegaSources(): { vega: string; vegaLite: string } {
  if (!sources) {
    const files = vegaBrowserBuilds();
    sources = { vega: fs.readFileSync(files.vega, 'utf8'), vegaLite: fs.readFileSync(files.vegaLite, 'utf8') };
  }
  return sources;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the UMD builds are untyped at this boundary */
type VegaModule = any;

function loadUmd(file: string, deps: Record<string, unknown>): VegaModule {
  const code = fs.readFileSync(file, 'utf8');
  const module = { exports: {} as Record<string, unknown> };
  const requireDep = (id: string): unknown => {
    if (!(id in deps)) throw new Error(`${file} requires '${id}', which the vega loader does not provide`);
    return deps[id];
  };
  // Evaluating the library's own UMD build (a file inside node_modules), as a script tag would.
  new Function('exports', 'module', 'require', code)(module.exports, module, requireDep);
  return module.exports;
}

let loaded: { vega: VegaModule; vegaLite: VegaModule } | undefined;

/** vega and vega-lite, loaded once (~0.15 s). */
export function loadVega(): { vega: VegaModule; vegaLite: VegaModule } {
  if (!loaded) {
    const files = vegaBrowserBuilds();
    const vega = loadUmd(files.vega, {});
    loaded = { vega, vegaLite: loadUmd(files.vegaLite, { vega }) };
  }
  return loaded;
}

/** A Vega-Lite spec (plain JSON object; see https://vega.github.io/vega-lite/docs/). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Renders a Vega-Lite spec with inline data to SVG, synchronously. vega's own `view.toSVG()` is async only because
 * it may load data or images; with inline data the dataflow runs to completion in `run()`, and the headless SVG
 * renderer is sized exactly as `toSVG` sizes it (padding + origin), so the output is identical (tested).
 */
export function renderVegaLite(spec: VegaLiteSpec): Plot {
  const { vega, vegaLite } = loadVega();
  const compiled = vegaLite.compile({ config: { font: 'DejaVu Sans, sans-serif' }, background: 'white', ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  view.run();
  const padding = view.padding();
  const origin = view.origin();
  const width = Math.max(0, view._viewWidth + padding.left + padding.right);
  const height = Math.max(0, view._viewHeight + padding.top + padding.bottom);
  const renderer = new vega.SVGStringRenderer(view.loader())
    .initialize(null, width, height, [padding.left + origin[0], padding.top + origin[1]], 1)
    .background(view.background());
  renderer.render(view.scenegraph().root);
  const svg: string = renderer.svg();
  view.finalize();
  return { svg, width: Math.round(width), height: Math.round(height) };
}

/** The async reference path (vega's own `toSVG`), for tests that check `renderVegaLite` against it. */
export async function renderVegaLiteAsync(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = loadVega();
  const compiled = vegaLite.compile({ config: { font: 'DejaVu Sans, sans-serif' }, background: 'white', ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg: string = await view.toSVG();
  view.finalize();
  return svg;
}
