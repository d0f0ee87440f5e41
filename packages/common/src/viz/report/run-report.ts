// One self-contained HTML page per run: config, curves, final metrics, confusion matrix and images, with every
// chart inline as SVG and every image as a data: URI, so it opens from disk with no network.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../io';
import { plotConfusionMatrix } from '../plot/confusion-matrix';
import { plotTrainingCurves } from '../plot/training-curves';
import {
  flattenObject,
  listRunPngs,
  readRunConfig,
  readRunImages,
  readRunMetrics,
  readRunResults,
  readRunScalars,
  summarizeRun,
  type ScalarSeries,
} from '../runs/run-folder';

export interface RunReportOptions {
  /** Where to write (default `<runDir>/report.html`). */
  out?: string;
  /** The log directory the run's project/experiment are named from (default: three levels up). */
  logDir?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const pngUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(5)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Curves from metrics.json (per epoch), or from the event files' scalars by step when there is no metrics.json. */
function curvesSvg(runDir: string, scalars: ScalarSeries[]): string | undefined {
  const metrics = readRunMetrics(runDir);
  const numericKeys = (record: Record<string, unknown>) =>
    Object.keys(record).filter((k) => typeof record[k] === 'number');
  if (metrics.length > 0) {
    const keys = new Set(metrics.flatMap(numericKeys));
    const history = metrics.map((m) =>
      Object.fromEntries(
        [...keys].filter((k) => k !== 'global_step').map((k) => [k, typeof m[k] === 'number' ? m[k] : NaN]),
      ),
    );
    return plotTrainingCurves(history).svg;
  }
  const curves = scalars.filter((s) => s.points.length > 1);
  if (curves.length === 0) return undefined;
  const steps = [...new Set(curves.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
  const columns: Record<string, number[]> = { step: steps };
  for (const s of curves) {
    const at = new Map(s.points.map((p) => [p.step, p.value]));
    columns[s.tag.split('/').pop()!] = steps.map((step) => at.get(step) ?? NaN);
  }
  return plotTrainingCurves(columns, { x: 'step' }).svg;
}

/** The confusion matrix: a results.json `confusion_matrix`, else a PNG or an image summary named like one. */
function confusionHtml(
  runDir: string,
  results: Record<string, unknown> | undefined,
  pngs: string[],
  images: ReturnType<typeof readRunImages>,
): string | undefined {
  const matrix = results?.confusion_matrix;
  if (Array.isArray(matrix) && matrix.every((row) => Array.isArray(row))) {
    const labels = Array.isArray(results?.class_names) ? (results!.class_names as string[]) : undefined;
    return plotConfusionMatrix(matrix as number[][], labels).svg;
  }
  const file = pngs.find((p) => /confusion/i.test(p));
  if (file) return `<img alt="${escapeHtml(file)}" src="${pngUri(fs.readFileSync(path.join(runDir, file)))}">`;
  const tag = Object.keys(images).find((t) => /confusion/i.test(t));
  if (tag) {
    const last = images[tag][images[tag].length - 1];
    return `<img alt="${escapeHtml(tag)} step ${last.step}" src="${pngUri(last.png)}">`;
  }
  return undefined;
}

const STYLE = `body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1300px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
#metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:2px 16px;font-size:13px}
#metrics div{border-bottom:1px solid #eee;padding:2px 0;overflow-wrap:anywhere}#metrics span{color:#555}
pre{background:#f6f6f6;padding:10px;overflow:auto;font-size:12px}
figure{display:inline-block;margin:8px;vertical-align:top}
figcaption{font-size:12px;color:#555}img{max-width:100%;image-rendering:pixelated}.muted{color:#777}`;

/** The report's HTML (no external URL: styles inline, charts as SVG, images as data: URIs). */
export function buildRunReport(runDir: string, options: RunReportOptions = {}): string {
  if (!fs.existsSync(runDir)) throw new Error(`buildRunReport: the run folder ${runDir} does not exist`);
  const logDir = options.logDir ?? path.resolve(runDir, '..', '..', '..');
  const summary = summarizeRun(logDir, runDir);
  const config = readRunConfig(runDir);
  const results = readRunResults(runDir);
  const scalars = readRunScalars(runDir);
  const images = readRunImages(runDir);
  const pngs = listRunPngs(runDir).filter((p) => p !== 'report.html');
  const sections: string[] = [];

  const finals = results
    ? [...flattenObject(results)].filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    : scalars.map((s) => [s.tag, s.points[s.points.length - 1]?.value] as [string, unknown]);
  if (finals.length) {
    const cells = finals
      .map(([k, v]) => `<div><span>${escapeHtml(k)}</span> <b>${escapeHtml(formatValue(v))}</b></div>`)
      .join('');
    sections.push(`<h2>Final metrics</h2><div id="metrics">${cells}</div>`);
  }
  const curves = curvesSvg(runDir, scalars);
  if (curves) sections.push(`<h2>Curves</h2><div id="curves">${curves}</div>`);
  const confusion = confusionHtml(runDir, results, pngs, images);
  if (confusion) sections.push(`<h2>Confusion matrix</h2><div id="confusion">${confusion}</div>`);

  const figures = [
    ...pngs.map((p) => ({ caption: p, png: fs.readFileSync(path.join(runDir, p)) })),
    ...Object.entries(images).map(([tag, list]) => ({
      caption: `${tag} (step ${list[list.length - 1].step})`,
      png: list[list.length - 1].png,
    })),
  ];
  if (figures.length) {
    const html = figures.map((f) => {
      const caption = escapeHtml(f.caption);
      return `<figure><img alt="${caption}" src="${pngUri(f.png)}"><figcaption>${caption}</figcaption></figure>`;
    });
    sections.push(`<h2>Images</h2><div id="images">${html.join('')}</div>`);
  }
  const configText = fs.existsSync(path.join(runDir, 'config.yaml'))
    ? fs.readFileSync(path.join(runDir, 'config.yaml'), 'utf8')
    : undefined;
  if (config !== undefined && configText !== undefined)
    sections.push(`<h2>Config</h2><pre id="config">${escapeHtml(configText)}</pre>`);

  const title = [summary.project, summary.experiment, summary.name].filter(Boolean).join(' / ');
  const best = summary.best ? ` · ${summary.best.name} ${formatValue(summary.best.value)}` : '';
  const subtitle = `${path.resolve(runDir)} · ${summary.status} · last write ${new Date(summary.updated).toISOString()}${best}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(subtitle)}</p>
${sections.join('\n')}
</body></html>
`;
}

/** Writes `report.html` into the run folder (or `options.out`) and returns its path. */
export function writeRunReport(runDir: string, options: RunReportOptions = {}): string {
  const out = options.out ?? path.join(runDir, 'report.html');
  writeFileAtomic(out, buildRunReport(runDir, options));
  return out;
}
