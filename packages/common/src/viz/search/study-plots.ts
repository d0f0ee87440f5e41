// Vega-Lite specs of a study's trials with the semantics of optuna.visualization (3.x): optimisation history with
// the best value so far, parameter importances, contour, slice, parallel coordinates and intermediate values. Each
// spec carries its data inline (the rows are what tests compare with the trials), so one spec gives the PNG in Node
// and the interactive chart in a browser.
import type { Distribution, FrozenTrial, ParamValue, StudyDirection } from '../../search';
import type { VegaLiteSpec } from '../charts/vega';

export const STUDY_PLOT_TYPES = [
  'optimization_history',
  'param_importances',
  'contour',
  'slice',
  'parallel_coordinate',
  'intermediate_values',
] as const;
export type StudyPlotType = (typeof STUDY_PLOT_TYPES)[number];

export interface StudyPlotData {
  studyName: string;
  direction: StudyDirection;
  trials: FrozenTrial[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Grid points per axis of a contour plot (Optuna draws 100; 30 keeps the SVG small and looks the same). */
export const CONTOUR_GRID = 30;

/** COMPLETE trials with a finite objective value, in trial-number order (what Optuna's plots draw). */
export function completedTrials(trials: FrozenTrial[]): FrozenTrial[] {
  return trials
    .filter((t) => t.state === 'COMPLETE' && t.values !== null && Number.isFinite(t.values[0]))
    .sort((a, b) => a.number - b.number);
}

const objective = (t: FrozenTrial): number => (t.values as number[])[0];

/** The parameter names of the study, sorted (Optuna sorts them in every plot). */
export function studyParamNames(trials: FrozenTrial[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
}

/** `params` checked against the study's parameters (a misspelt name is an error naming the ones present). */
export function selectParams(trials: FrozenTrial[], params?: string[]): string[] {
  const all = studyParamNames(trials);
  if (!params || params.length === 0) return all;
  for (const p of params) {
    if (!all.includes(p)) throw new Error(`--params: the study has no parameter '${p}' (it has: ${all.join(', ')})`);
  }
  return params;
}

function distributionOf(trials: FrozenTrial[], param: string): Distribution {
  const d = trials.find((t) => param in t.distributions)?.distributions[param];
  if (!d) throw new Error(`no trial has parameter '${param}'`);
  return d;
}

// ---- optimisation history ----------------------------------------------------------------------------------------

export interface HistoryRow {
  number: number;
  value: number;
  /** The best objective value among trials up to this one (minimum or maximum by the study's direction). */
  best: number;
}

/** optuna.visualization.plot_optimization_history: completed trials' values and the best value so far. */
export function optimizationHistoryRows(trials: FrozenTrial[], direction: StudyDirection): HistoryRow[] {
  const pick = direction === 'MINIMIZE' ? Math.min : Math.max;
  let best = direction === 'MINIMIZE' ? Infinity : -Infinity;
  return completedTrials(trials).map((t) => {
    best = pick(best, objective(t));
    return { number: t.number, value: objective(t), best };
  });
}

export function optimizationHistorySpec(data: StudyPlotData): VegaLiteSpec {
  const rows = optimizationHistoryRows(data.trials, data.direction);
  const x = { field: 'number', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1 } };
  const legend = { title: null, orient: 'top-right' };
  return {
    $schema: SCHEMA,
    title: `Optimization history: ${data.studyName} (${data.direction.toLowerCase()})`,
    width: 520,
    height: 300,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 40, tooltip: { content: 'data' } },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'objective value', scale: { zero: false } },
          color: { datum: 'objective value', legend },
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', aria: false },
        encoding: {
          x,
          y: { field: 'best', type: 'quantitative' },
          color: { datum: 'best value', legend },
        },
      },
    ],
  };
}

// ---- parameter importances ---------------------------------------------------------------------------------------

/** optuna.visualization.plot_param_importances: fANOVA shares (sum 1), largest on top. */
export function paramImportancesSpec(studyName: string, importances: Record<string, number>): VegaLiteSpec {
  const rows = Object.entries(importances)
    .map(([param, importance]) => ({ param, importance }))
    .sort((a, b) => b.importance - a.importance);
  const y = { field: 'param', type: 'nominal', sort: rows.map((r) => r.param), title: 'hyperparameter' };
  return {
    $schema: SCHEMA,
    title: `Hyperparameter importances (fANOVA): ${studyName}`,
    width: 420,
    height: { step: 26 },
    data: { values: rows },
    encoding: {
      y,
      x: {
        field: 'importance',
        type: 'quantitative',
        title: 'importance for objective value',
        scale: { domain: [0, 1] },
      },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8', tooltip: { content: 'data' } } },
      {
        mark: { type: 'text', align: 'left', dx: 4, aria: false },
        encoding: { text: { field: 'importance', type: 'quantitative', format: '.3f' } },
      },
    ],
  };
}

// ---- axes of parameters: numeric values, log scales, categorical choices as positions ------------------------------

interface ParamAxis {
  param: string;
  log: boolean;
  /** Choices of a categorical parameter (plotted at positions 0..k-1), else undefined. */
  choices?: ParamValue[];
}

function paramAxis(trials: FrozenTrial[], param: string): ParamAxis {
  const d = distributionOf(trials, param);
  if (d.kind === 'categorical') return { param, log: false, choices: d.choices };
  return { param, log: d.log };
}

/** The position of a trial's value on the axis (a categorical's choice index). */
function position(axis: ParamAxis, value: ParamValue): number {
  if (axis.choices) return axis.choices.findIndex((c) => c === value);
  return value as number;
}

/** A Vega-Lite positional channel for the axis: log scale for log parameters, choice labels for categoricals. */
function axisEncoding(axis: ParamAxis, field: string): Record<string, unknown> {
  if (axis.choices) {
    const labels = JSON.stringify(axis.choices.map(String));
    return {
      field,
      type: 'quantitative',
      title: axis.param,
      scale: { domain: [-0.5, axis.choices.length - 0.5], nice: false, zero: false },
      axis: { values: axis.choices.map((_, i) => i), labelExpr: `${labels}[datum.value]` },
    };
  }
  const scale = axis.log ? { type: 'log' } : { type: 'linear', zero: false };
  return { field, type: 'quantitative', title: axis.param, scale };
}

// ---- slice --------------------------------------------------------------------------------------------------------

export interface SliceRow {
  number: number;
  /** The parameter's value (a categorical's choice). */
  param: ParamValue;
  /** Its position on the x axis (a categorical's choice index). */
  x: number;
  value: number;
}

/** Rows of one parameter's slice: completed trials that have it. */
export function sliceRows(trials: FrozenTrial[], param: string): SliceRow[] {
  const axis = paramAxis(trials, param);
  return completedTrials(trials)
    .filter((t) => param in t.params)
    .map((t) => ({
      number: t.number,
      param: t.params[param],
      x: position(axis, t.params[param]),
      value: objective(t),
    }));
}

/** optuna.visualization.plot_slice: objective value against each parameter, coloured by trial number. */
export function sliceSpec(data: StudyPlotData, params?: string[]): VegaLiteSpec {
  const names = selectParams(data.trials, params);
  return {
    $schema: SCHEMA,
    title: `Slice plot: ${data.studyName}`,
    hconcat: names.map((param) => ({
      width: 220,
      height: 220,
      data: { values: sliceRows(data.trials, param) },
      mark: { type: 'point', filled: true, size: 40, tooltip: { content: 'data' } },
      encoding: {
        x: axisEncoding(paramAxis(data.trials, param), 'x'),
        y: { field: 'value', type: 'quantitative', title: 'objective value', scale: { zero: false } },
        color: { field: 'number', type: 'quantitative', title: 'trial', scale: { scheme: 'blues' } },
      },
    })),
    resolve: { scale: { color: 'shared' } },
  };
}

// ---- contour ------------------------------------------------------------------------------------------------------

export interface ContourGrid {
  xParam: string;
  yParam: string;
  /** Cell centres along x and y (in parameter units; categorical positions for categoricals). */
  xs: number[];
  ys: number[];
  /** z[j][i]: the interpolated objective at (xs[i], ys[j]). */
  z: number[][];
  /** The trials it was made from: positions and objective values. */
  points: Array<{ number: number; x: number; y: number; value: number }>;
}

/** n cell centres over [lo, hi] padded by 5% of the range on each side (Optuna's contour padding), log10 if log. */
function gridAxis(values: number[], log: boolean, categorical: boolean, n: number): number[] {
  const t = (v: number) => (log ? Math.log10(v) : v);
  const inv = (v: number) => (log ? 10 ** v : v);
  let lo = Math.min(...values.map(t));
  let hi = Math.max(...values.map(t));
  if (categorical) [lo, hi] = [-0.5, hi + 0.5];
  else {
    const pad = (hi - lo || Math.abs(lo) || 1) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
  }
  return Array.from({ length: n }, (_, i) => inv(lo + ((i + 0.5) * (hi - lo)) / n));
}

function nearestIndex(grid: number[], value: number, log: boolean): number {
  const t = (v: number) => (log ? Math.log10(v) : v);
  let best = 0;
  for (let i = 1; i < grid.length; i++)
    if (Math.abs(t(grid[i]) - t(value)) < Math.abs(t(grid[best]) - t(value))) best = i;
  return best;
}

/**
 * Fills the cells without a trial as plotly (and so Optuna's contour) interpolates: the observed cells stay fixed and
 * every other cell converges to the mean of its neighbours (Laplace's equation with zero-derivative edges), solved by
 * over-relaxed Gauss-Seidel sweeps until no cell moves by more than 1e-5 of the value range.
 */
export function interpolateGrid(z: Array<Array<number | undefined>>, maxSweeps = 2000): number[][] {
  const ny = z.length;
  const nx = z[0].length;
  const cells = new Float64Array(nx * ny);
  const free: number[] = [];
  const observed = z.flat().filter((v): v is number => v !== undefined);
  const mean = observed.reduce((a, b) => a + b, 0) / observed.length;
  const range = Math.max(...observed) - Math.min(...observed) || 1;
  z.forEach((row, j) =>
    row.forEach((v, i) => {
      cells[j * nx + i] = v ?? mean;
      if (v === undefined) free.push(j * nx + i);
    }),
  );
  const omega = 1.6; // over-relaxation: same fixed point, far fewer sweeps
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let delta = 0;
    for (const k of free) {
      const [i, j] = [k % nx, Math.floor(k / nx)];
      let sum = 0;
      let count = 0;
      const neighbours = [i > 0 ? k - 1 : -1, i < nx - 1 ? k + 1 : -1, j > 0 ? k - nx : -1, j < ny - 1 ? k + nx : -1];
      for (const n of neighbours) {
        if (n < 0) continue;
        sum += cells[n];
        count += 1;
      }
      const step = omega * (sum / count - cells[k]);
      cells[k] += step;
      delta = Math.max(delta, Math.abs(step));
    }
    if (delta < 1e-5 * range) break;
  }
  return Array.from({ length: ny }, (_, j) => Array.from(cells.subarray(j * nx, (j + 1) * nx)));
}

/** The interpolated objective over two parameters from the completed trials that have both. */
export function contourGrid(trials: FrozenTrial[], xParam: string, yParam: string, n = CONTOUR_GRID): ContourGrid {
  const [ax, ay] = [paramAxis(trials, xParam), paramAxis(trials, yParam)];
  const used = completedTrials(trials).filter((t) => xParam in t.params && yParam in t.params);
  const points = used.map((t) => ({
    number: t.number,
    x: position(ax, t.params[xParam]),
    y: position(ay, t.params[yParam]),
    value: objective(t),
  }));
  if (points.length === 0) return { xParam, yParam, xs: [], ys: [], z: [], points };
  const xs = gridAxis(
    points.map((p) => p.x),
    ax.log,
    !!ax.choices,
    n,
  );
  const ys = gridAxis(
    points.map((p) => p.y),
    ay.log,
    !!ay.choices,
    n,
  );
  const sums = ys.map(() => xs.map(() => ({ sum: 0, count: 0 })));
  for (const p of points) {
    const cell = sums[nearestIndex(ys, p.y, ay.log)][nearestIndex(xs, p.x, ax.log)];
    cell.sum += p.value;
    cell.count += 1;
  }
  const z = interpolateGrid(sums.map((row) => row.map((c) => (c.count ? c.sum / c.count : undefined))));
  return { xParam, yParam, xs, ys, z, points };
}

/** Cell edges: midpoints between centres (geometric for log axes), extended by half a cell at the ends. */
function edges(centres: number[], log: boolean): number[] {
  const t = (v: number) => (log ? Math.log10(v) : v);
  const inv = (v: number) => (log ? 10 ** v : v);
  const c = centres.map(t);
  const half = (c.length > 1 ? c[1] - c[0] : 1) / 2;
  return [c[0] - half, ...c.slice(1).map((v, i) => (v + c[i]) / 2), c[c.length - 1] + half].map(inv);
}

function contourPanel(trials: FrozenTrial[], xParam: string, yParam: string, direction: StudyDirection): VegaLiteSpec {
  const grid = contourGrid(trials, xParam, yParam);
  const [ax, ay] = [paramAxis(trials, xParam), paramAxis(trials, yParam)];
  const [ex, ey] = [edges(grid.xs, ax.log), edges(grid.ys, ay.log)];
  const cells = grid.z.flatMap((row, j) =>
    row.map((z, i) => ({ x: ex[i], x2: ex[i + 1], y: ey[j], y2: ey[j + 1], z })),
  );
  const xEnc = axisEncoding(ax, 'x');
  const yEnc = axisEncoding(ay, 'y');
  const domainOf = (e: number[], a: ParamAxis) => (a.choices ? undefined : [e[0], e[e.length - 1]]);
  const withDomain = (enc: Record<string, unknown>, domain?: number[]) =>
    domain ? { ...enc, scale: { ...(enc.scale as object), domain, nice: false } } : enc;
  return {
    width: 260,
    height: 260,
    title: `${xParam} × ${yParam}`,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', aria: false },
        encoding: {
          x: withDomain(xEnc, domainOf(ex, ax)),
          x2: { field: 'x2' },
          y: withDomain(yEnc, domainOf(ey, ay)),
          y2: { field: 'y2' },
          color: {
            field: 'z',
            type: 'quantitative',
            title: 'objective value',
            // Better values dark, as Optuna's reversed Blues for a minimised objective.
            scale: { scheme: 'blues', reverse: direction === 'MINIMIZE' },
          },
        },
      },
      {
        data: { values: grid.points },
        mark: { type: 'point', filled: true, size: 30, color: 'black', stroke: 'white', tooltip: { content: 'data' } },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

/** optuna.visualization.plot_contour: one panel per pair of the chosen parameters (at least two). */
export function contourSpec(data: StudyPlotData, params?: string[]): VegaLiteSpec {
  const names = selectParams(data.trials, params);
  if (names.length < 2) throw new Error(`contour: needs at least two parameters, the study has ${names.join(', ')}`);
  const panels: VegaLiteSpec[] = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++)
      panels.push(contourPanel(data.trials, names[i], names[j], data.direction));
  return {
    $schema: SCHEMA,
    title: `Contour plot: ${data.studyName}`,
    columns: Math.min(3, panels.length),
    concat: panels,
    resolve: { scale: { color: 'shared' } },
  };
}

// ---- parallel coordinates -----------------------------------------------------------------------------------------

export interface ParallelRow {
  number: number;
  /** The axis: 'objective value' first, then the parameters. */
  axis: string;
  axisIndex: number;
  /** The value on this axis (a categorical's choice). */
  raw: ParamValue;
  /** Position 0..1 along the axis (log10 for log parameters, choice index for categoricals). */
  norm: number;
  objective: number;
}

/**
 * optuna.visualization.plot_parallel_coordinate's lines: completed trials that have every chosen parameter; log
 * parameters on a log10 axis; a categorical's choices numbered as Optuna numbers them (strings in order of first
 * appearance, numbers sorted); each axis scaled from its smallest to its largest value.
 */
export function parallelCoordinateRows(trials: FrozenTrial[], params: string[]): ParallelRow[] {
  const used = completedTrials(trials).filter((t) => params.every((p) => p in t.params));
  const axes = params.map((p) => paramAxis(trials, p));
  const positions = (a: ParamAxis): number[] => {
    const values = used.map((t) => t.params[a.param]);
    if (!a.choices) return values.map((v) => (a.log ? Math.log10(v as number) : (v as number)));
    const order = values.every((v) => typeof v === 'number')
      ? [...new Set(values as number[])].sort((x, y) => x - y)
      : [...new Set(values)];
    return values.map((v) => order.indexOf(v));
  };
  const columns: Array<{ name: string; raw: ParamValue[]; pos: number[] }> = [
    { name: 'objective value', raw: used.map(objective), pos: used.map(objective) },
    ...axes.map((a) => ({ name: a.param, raw: used.map((t) => t.params[a.param]), pos: positions(a) })),
  ];
  const rows: ParallelRow[] = [];
  columns.forEach((col, axisIndex) => {
    const [lo, hi] = [Math.min(...col.pos), Math.max(...col.pos)];
    used.forEach((t, k) =>
      rows.push({
        number: t.number,
        axis: col.name,
        axisIndex,
        raw: col.raw[k],
        norm: hi > lo ? (col.pos[k] - lo) / (hi - lo) : 0.5,
        objective: objective(t),
      }),
    );
  });
  return rows;
}

export function parallelCoordinateSpec(data: StudyPlotData, params?: string[]): VegaLiteSpec {
  const names = selectParams(data.trials, params);
  const rows = parallelCoordinateRows(data.trials, names);
  const axisOrder = ['objective value', ...names];
  // Each axis labelled with its lowest and highest value (the lines are drawn on positions scaled to 0..1).
  const labels = axisOrder.flatMap((axis) => {
    const on = rows.filter((r) => r.axis === axis);
    if (on.length === 0) return [];
    if (on.some((r) => typeof r.raw !== 'number')) {
      // A categorical axis: every choice that occurs, at its position.
      const seen = new Map(on.map((r) => [String(r.raw), r.norm]));
      return [...seen].map(([text, norm]) => ({ axis, norm, text }));
    }
    const lo = on.reduce((a, b) => (b.norm < a.norm ? b : a));
    const hi = on.reduce((a, b) => (b.norm > a.norm ? b : a));
    const text = (r: ParallelRow) => (typeof r.raw === 'number' ? Number(r.raw.toPrecision(4)) : String(r.raw));
    return [
      { axis, norm: lo.norm, text: text(lo) },
      { axis, norm: hi.norm, text: text(hi) },
    ];
  });
  const x = { field: 'axis', type: 'nominal', sort: axisOrder, title: null, axis: { orient: 'top', labelAngle: 0 } };
  return {
    $schema: SCHEMA,
    title: `Parallel coordinates: ${data.studyName}`,
    width: Math.max(300, 130 * axisOrder.length),
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8, tooltip: { content: 'data' } },
        encoding: {
          x,
          y: { field: 'norm', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          detail: { field: 'number', type: 'nominal' },
          order: { field: 'axisIndex', type: 'quantitative' },
          color: {
            field: 'objective',
            type: 'quantitative',
            title: 'objective value',
            scale: { scheme: 'blues', reverse: data.direction === 'MINIMIZE' },
          },
        },
      },
      {
        data: { values: axisOrder.map((axis) => ({ axis })) },
        mark: { type: 'rule', color: '#888', aria: false },
        encoding: { x, y: { datum: 0 }, y2: { datum: 1 } },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, aria: false },
        encoding: { x, y: { field: 'norm', type: 'quantitative' }, text: { field: 'text' } },
      },
    ],
  };
}

// ---- intermediate values ------------------------------------------------------------------------------------------

export interface IntermediateRow {
  number: number;
  state: string;
  step: number;
  value: number;
}

/** optuna.visualization.plot_intermediate_values: reported values of COMPLETE, PRUNED and RUNNING trials. */
export function intermediateValueRows(trials: FrozenTrial[]): IntermediateRow[] {
  return trials
    .filter((t) => ['COMPLETE', 'PRUNED', 'RUNNING'].includes(t.state) && t.intermediateValues.size > 0)
    .sort((a, b) => a.number - b.number)
    .flatMap((t) =>
      [...t.intermediateValues]
        .filter(([, v]) => Number.isFinite(v))
        .sort(([a], [b]) => a - b)
        .map(([step, value]) => ({ number: t.number, state: t.state, step, value })),
    );
}

export function intermediateValuesSpec(data: StudyPlotData): VegaLiteSpec {
  const rows = intermediateValueRows(data.trials);
  const color = {
    field: 'state',
    type: 'nominal',
    title: 'trial state',
    scale: { domain: ['COMPLETE', 'PRUNED', 'RUNNING'], range: ['#4c78a8', '#e45756', '#9d9d9d'] },
  };
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } };
  const y = { field: 'value', type: 'quantitative', title: 'intermediate value', scale: { zero: false } };
  return {
    $schema: SCHEMA,
    title: `Intermediate values: ${data.studyName}`,
    width: 520,
    height: 300,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', aria: false },
        encoding: {
          x,
          y,
          color,
          detail: { field: 'number', type: 'nominal' },
          // Pruned trials dashed: they stop early, and the dash tells them apart where colours are hard to see.
          strokeDash: {
            field: 'state',
            type: 'nominal',
            scale: {
              domain: ['COMPLETE', 'PRUNED', 'RUNNING'],
              range: [
                [1, 0],
                [4, 3],
                [1, 2],
              ],
            },
          },
        },
      },
      { mark: { type: 'point', filled: true, size: 20, tooltip: { content: 'data' } }, encoding: { x, y, color } },
    ],
  };
}
