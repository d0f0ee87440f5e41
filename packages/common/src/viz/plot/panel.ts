// One set of axes in a figure: frame, nice ticks, labels, legend, and the marks drawn in data coordinates.
import { formatTicks, linearScale, niceTicks, type LinearScale } from './scale';
import { element, escapeXml, estimateTextWidth, px } from './svg';

export interface AxisSpec {
  domain: [number, number];
  label?: string;
  /** Tick positions; default: nice ticks inside the domain. */
  ticks?: number[];
  /** Labels for `ticks` (categorical axes); default: formatted tick values. */
  tickLabels?: string[];
  /** y only: domain[0] at the top (matrix rows). */
  reversed?: boolean;
  /** x only: tick labels rotated by -45° (long category names). */
  rotateLabels?: boolean;
}

export interface LegendItem {
  label: string;
  color: string;
  kind: 'line' | 'marker';
  dash?: string;
}

export interface PanelOptions {
  /** Outer box of the panel in figure coordinates, axes and labels included. */
  frame: { x: number; y: number; width: number; height: number };
  x: AxisSpec;
  y: AxisSpec;
  title?: string;
  legend?: LegendItem[];
  /** Light lines at the ticks (default true). */
  grid?: boolean;
  /** Unique within the figure (clip-path id). */
  id: string;
}

export interface MarkStyle {
  color?: string;
  width?: number;
  dash?: string;
  opacity?: number;
  className?: string;
}

const FONT = 11;
const TICK = 4;

/**
 * Marks are collected then serialised by `toSvg()`. Data marks are clipped to the plot area; the axes carry
 * `data-min`/`data-max` and each tick `data-value`, so tests (and readers of the SVG) can check the geometry.
 */
export class Panel {
  readonly x: LinearScale;
  readonly y: LinearScale;
  readonly plot: { left: number; top: number; right: number; bottom: number };
  private readonly marks: string[] = [];
  private readonly overlays: string[] = [];

  constructor(private readonly options: PanelOptions) {
    const { frame, x, y, title, legend } = options;
    const yLabels = this.tickLabels(y);
    const xLabels = this.tickLabels(x);
    const yLabelWidth = Math.max(0, ...yLabels.map((l) => estimateTextWidth(l, FONT)));
    const xLabelHeight = x.rotateLabels ? Math.max(0, ...xLabels.map((l) => estimateTextWidth(l, FONT))) * 0.71 + FONT : FONT + 2;
    const legendWidth = legend?.length ? Math.max(...legend.map((i) => estimateTextWidth(i.label, FONT))) + 36 : 0;
    const left = frame.x + 10 + (y.label ? FONT + 8 : 0) + yLabelWidth + TICK + 4;
    const right = frame.x + frame.width - 12 - legendWidth;
    const top = frame.y + (title ? FONT + 18 : 10);
    const bottom = frame.y + frame.height - 8 - (x.label ? FONT + 8 : 0) - xLabelHeight - TICK - 2;
    if (right - left < 20 || bottom - top < 20) {
      throw new Error(`plot panel ${options.id}: ${px(frame.width)}x${px(frame.height)} px is too small for its labels and legend`);
    }
    this.plot = { left, top, right, bottom };
    this.x = linearScale(x.domain, [left, right]);
    this.y = linearScale(y.domain, y.reversed ? [top, bottom] : [bottom, top]);
  }

  /** A polyline through the points; a non-finite value breaks the line. */
  line(xs: ArrayLike<number>, ys: ArrayLike<number>, style: MarkStyle = {}): void {
    const runs: string[] = [];
    let current: string[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) current.push(`${px(this.x(xs[i]))},${px(this.y(ys[i]))}`);
      else if (current.length) {
        runs.push(current.join(' '));
        current = [];
      }
    }
    if (current.length) runs.push(current.join(' '));
    for (const points of runs) {
      this.marks.push(
        element('polyline', {
          class: style.className ?? 'series',
          points,
          fill: 'none',
          stroke: style.color ?? 'black',
          'stroke-width': style.width ?? 1.5,
          'stroke-dasharray': style.dash,
          opacity: style.opacity,
        }),
      );
    }
  }

  /** One circle per point with finite coordinates, class "marker" (plus style.className). */
  scatter(xs: ArrayLike<number>, ys: ArrayLike<number>, radius = 3, style: MarkStyle = {}): void {
    const cls = style.className ? `marker ${style.className}` : 'marker';
    const fill = style.color ?? 'black';
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
      this.marks.push(element('circle', { class: cls, cx: this.x(xs[i]), cy: this.y(ys[i]), r: radius, fill, 'fill-opacity': style.opacity }));
    }
  }

  /** A rectangle between two corners in data coordinates (heatmap cells, bars). */
  rect(x0: number, y0: number, x1: number, y1: number, fill: string, className = 'cell'): void {
    const [ax, bx] = [this.x(x0), this.x(x1)];
    const [ay, by] = [this.y(y0), this.y(y1)];
    this.marks.push(element('rect', { class: className, x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay), fill }));
  }

  /** A straight segment in data coordinates. */
  segment(x0: number, y0: number, x1: number, y1: number, style: MarkStyle = {}): void {
    this.marks.push(
      element('line', {
        class: style.className,
        x1: this.x(x0),
        y1: this.y(y0),
        x2: this.x(x1),
        y2: this.y(y1),
        stroke: style.color ?? 'black',
        'stroke-width': style.width ?? 1,
        'stroke-dasharray': style.dash,
        opacity: style.opacity,
      }),
    );
  }

  /** Text centred at a data position (not clipped). */
  text(x: number, y: number, content: string, options: { color?: string; size?: number; anchor?: 'start' | 'middle' | 'end'; className?: string } = {}): void {
    this.overlays.push(
      element(
        'text',
        { class: options.className, x: this.x(x), y: this.y(y), 'text-anchor': options.anchor ?? 'middle', 'dominant-baseline': 'central', fill: options.color ?? 'black', 'font-size': options.size },
        escapeXml(content),
      ),
    );
  }

  /** Text at a position in pixels relative to the plot area's top-left corner (annotations such as ∞). */
  label(dx: number, dy: number, content: string, anchor: 'start' | 'middle' | 'end' = 'start', className?: string): void {
    this.overlays.push(
      element('text', { class: className, x: this.plot.left + dx, y: this.plot.top + dy, 'text-anchor': anchor, 'dominant-baseline': 'central' }, escapeXml(content)),
    );
  }

  toSvg(): string {
    const { left, top, right, bottom } = this.plot;
    const { id, title, grid = true } = this.options;
    const parts: string[] = [];
    parts.push(element('clipPath', { id: `${id}-clip` }, element('rect', { x: left, y: top, width: right - left, height: bottom - top })));
    if (grid) parts.push(this.gridLines());
    parts.push(element('g', { class: 'marks', 'clip-path': `url(#${id}-clip)` }, this.marks.join('')));
    parts.push(element('rect', { class: 'frame', x: left, y: top, width: right - left, height: bottom - top, fill: 'none', stroke: '#333', 'stroke-width': 1 }));
    parts.push(this.xAxis(), this.yAxis(), this.overlays.join(''));
    if (title) parts.push(element('text', { class: 'title', x: (left + right) / 2, y: top - 10, 'text-anchor': 'middle', 'font-size': 13 }, escapeXml(title)));
    if (this.options.legend?.length) parts.push(this.legend(this.options.legend));
    return element('g', { class: 'panel', id }, parts.join(''));
  }

  private tickValues(axis: AxisSpec): number[] {
    return axis.ticks ?? niceTicks(axis.domain[0], axis.domain[1]);
  }

  private tickLabels(axis: AxisSpec): string[] {
    return axis.tickLabels ?? formatTicks(this.tickValues(axis));
  }

  /** Light lines at the ticks of both axes. */
  private gridLines(): string {
    const { left, top, right, bottom } = this.plot;
    const lines = [
      ...this.tickValues(this.options.x).map((t) => element('line', { x1: this.x(t), y1: top, x2: this.x(t), y2: bottom })),
      ...this.tickValues(this.options.y).map((t) => element('line', { x1: left, y1: this.y(t), x2: right, y2: this.y(t) })),
    ];
    return element('g', { class: 'grid', stroke: '#e5e5e5', 'stroke-width': 1 }, lines.join(''));
  }

  private xAxis(): string {
    const axis = this.options.x;
    const { bottom, left, right } = this.plot;
    const labels = this.tickLabels(axis);
    const ticks = this.tickValues(axis).map((t, i) => {
      const x = this.x(t);
      const text = axis.rotateLabels
        ? element('text', { x, y: bottom + TICK + 4, 'text-anchor': 'end', transform: `rotate(-45 ${px(x)} ${px(bottom + TICK + 4)})`, 'dominant-baseline': 'hanging' }, escapeXml(labels[i]))
        : element('text', { x, y: bottom + TICK + 2, 'text-anchor': 'middle', 'dominant-baseline': 'hanging' }, escapeXml(labels[i]));
      return element('g', { class: 'tick', 'data-value': String(t) }, element('line', { x1: x, y1: bottom, x2: x, y2: bottom + TICK, stroke: '#333' }) + text);
    });
    const rotatedHeight = axis.rotateLabels ? Math.max(0, ...labels.map((l) => estimateTextWidth(l, FONT))) * 0.71 : FONT;
    const title = axis.label
      ? element('text', { class: 'axis-label', x: (left + right) / 2, y: bottom + TICK + 8 + rotatedHeight + FONT, 'text-anchor': 'middle', 'dominant-baseline': 'hanging' }, escapeXml(axis.label))
      : '';
    return element('g', { class: 'axis x-axis', 'data-min': String(axis.domain[0]), 'data-max': String(axis.domain[1]) }, ticks.join('') + title);
  }

  private yAxis(): string {
    const axis = this.options.y;
    const { left, top, bottom } = this.plot;
    const labels = this.tickLabels(axis);
    const ticks = this.tickValues(axis).map((t, i) => {
      const y = this.y(t);
      return element(
        'g',
        { class: 'tick', 'data-value': String(t) },
        element('line', { x1: left - TICK, y1: y, x2: left, y2: y, stroke: '#333' }) +
          element('text', { x: left - TICK - 3, y, 'text-anchor': 'end', 'dominant-baseline': 'central' }, escapeXml(labels[i])),
      );
    });
    const labelWidth = Math.max(0, ...labels.map((l) => estimateTextWidth(l, FONT)));
    const x = left - TICK - 8 - labelWidth - FONT / 2;
    const title = axis.label
      ? element('text', { class: 'axis-label', x, y: (top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 ${px(x)} ${px((top + bottom) / 2)})` }, escapeXml(axis.label))
      : '';
    return element('g', { class: 'axis y-axis', 'data-min': String(axis.domain[0]), 'data-max': String(axis.domain[1]) }, ticks.join('') + title);
  }

  private legend(items: LegendItem[]): string {
    const x = this.plot.right + 12;
    const rows = items.map((item, i) => {
      const y = this.plot.top + 8 + i * (FONT + 7);
      const swatch =
        item.kind === 'line'
          ? element('line', { x1: x, y1: y, x2: x + 18, y2: y, stroke: item.color, 'stroke-width': 2, 'stroke-dasharray': item.dash })
          : element('circle', { cx: x + 9, cy: y, r: 4, fill: item.color });
      return element('g', { class: 'legend-item' }, swatch + element('text', { x: x + 24, y, 'dominant-baseline': 'central' }, escapeXml(item.label)));
    });
    return element('g', { class: 'legend' }, rows.join(''));
  }
}
