// A study's plots by name: the spec of each plot type, its PNG (vega in Node + resvg) and a self-contained
// interactive HTML page (the spec with vega and vega-lite inlined from node_modules: no CDN, opens from disk).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io';
import { paramImportancesOf } from '../../search';
import { loadVegaSources, renderVegaLite, type VegaLiteSpec } from '../charts/vega';
import { svgToPng } from '../plot/render';
import {
  completedTrials,
  contourSpec,
  intermediateValuesSpec,
  optimizationHistorySpec,
  parallelCoordinateSpec,
  paramImportancesSpec,
  selectParams,
  sliceSpec,
  STUDY_PLOT_TYPES,
  type StudyPlotData,
  type StudyPlotType,
} from './study-plots';

/**
 * Parameter importances as Optuna's get_param_importances (fANOVA, shares summing to 1) over the chosen parameters,
 * or a reason why there are none (fewer than two completed trials, no variance).
 */
export function studyImportances(
  data: StudyPlotData,
  params?: string[],
): { importances: Record<string, number> } | { error: string } {
  const completed = completedTrials(data.trials);
  if (completed.length < 2) return { error: `${completed.length} completed trial(s): importances need at least 2` };
  try {
    return { importances: paramImportancesOf(completed, { params: selectParams(data.trials, params), seed: 0 }) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The Vega-Lite spec of one plot type (`params`: the parameters to draw, default all). */
export function studyPlotSpec(type: StudyPlotType, data: StudyPlotData, params?: string[]): VegaLiteSpec {
  switch (type) {
    case 'optimization_history':
      return optimizationHistorySpec(data);
    case 'param_importances': {
      const result = studyImportances(data, params);
      if ('error' in result) throw new Error(`param_importances of study '${data.studyName}': ${result.error}`);
      return paramImportancesSpec(data.studyName, result.importances);
    }
    case 'contour':
      return contourSpec(data, params);
    case 'slice':
      return sliceSpec(data, params);
    case 'parallel_coordinate':
      return parallelCoordinateSpec(data, params);
    case 'intermediate_values':
      return intermediateValuesSpec(data);
  }
}

/** Code safe inside an inline <script>: a '</script' in a string would end the element ('<\\/' is the same string). */
function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * One HTML page that draws `spec` interactively (tooltips; SVG and PNG download links) with vega and vega-lite
 * inlined: it needs no server and no network; its Content-Security-Policy forbids loading anything.
 */
export function studyPlotPage(title: string, spec: VegaLiteSpec): string {
  const { vega, vegaLite } = loadVegaSources();
  const specJson = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'">
<title>${escapeHtml(title)}</title>
<style>body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:1.5em}nav a{margin-right:1em}</style>
<script>${scriptSafe(vega)}</script>
<script>${scriptSafe(vegaLite)}</script>
</head>
<body>
<div id="chart"></div>
<nav>
<a id="svg" download="${escapeHtml(title)}.svg" href="#">SVG</a>
<a id="png" download="${escapeHtml(title)}.png" href="#">PNG</a>
</nav>
<script id="spec" type="application/json">${specJson}</script>
<script>
const spec = JSON.parse(document.getElementById('spec').textContent);
const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
  renderer: 'svg',
  container: '#chart',
  hover: true,
});
window.studyPlot = { spec, view, ready: view.runAsync() };
window.studyPlot.ready.then(async () => {
  document.getElementById('svg').href = await view.toImageURL('svg');
  document.getElementById('png').href = await view.toImageURL('png', 2);
});
</script>
</body>
</html>
`;
}

export interface WriteStudyPlotsOptions {
  /** Default: every type in STUDY_PLOT_TYPES. */
  types?: StudyPlotType[];
  params?: string[];
  outDir: string;
  /** PNG pixel density (default 2). */
  scale?: number;
}

export interface WrittenStudyPlot {
  type: StudyPlotType;
  png?: string;
  html?: string;
  /** Why the plot was not drawn (e.g. importances of a study with one completed trial). */
  skipped?: string;
}

/** Writes `<type>.png` and `<type>.html` into `outDir` for each plot type; a plot that cannot be drawn is skipped. */
export function writeStudyPlots(data: StudyPlotData, o: WriteStudyPlotsOptions): WrittenStudyPlot[] {
  fs.mkdirSync(o.outDir, { recursive: true });
  const out: WrittenStudyPlot[] = [];
  for (const type of o.types ?? [...STUDY_PLOT_TYPES]) {
    let spec: VegaLiteSpec;
    try {
      spec = studyPlotSpec(type, data, o.params);
    } catch (err) {
      out.push({ type, skipped: (err as Error).message });
      continue;
    }
    const png = path.join(o.outDir, `${type}.png`);
    const html = path.join(o.outDir, `${type}.html`);
    writeFileAtomic(png, svgToPng(renderVegaLite(spec).svg, { scale: o.scale ?? 2 }));
    writeFileAtomic(html, studyPlotPage(`${data.studyName}: ${type}`, spec));
    out.push({ type, png, html });
  }
  return out;
}
