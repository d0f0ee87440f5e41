// Studies drawn as Optuna draws them (optuna.visualization): Vega-Lite specs of a study's trials, their PNGs and
// self-contained interactive pages, and the discovery of Optuna storages (SQLite files) under a log directory.
export * from './study-plots';
export {
  studyImportances,
  studyPlotSpec,
  studyPlotPage,
  writeStudyPlots,
  type WriteStudyPlotsOptions,
  type WrittenStudyPlot,
} from './study-figures';
export * from './study-sources';
