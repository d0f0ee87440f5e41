// Charts as Vega-Lite specs: rendered to SVG in Node (plots, reports) or in the browser (dashboard), one library.
export { renderVegaLite, loadVega, loadVegaSources, vegaBrowserBuilds, type VegaLiteSpec } from './vega';
