export { plotTrainingCurves, type TrainingCurvesOptions, type TrainingHistory } from './training-curves';
export { plotConfusionMatrix, normalizeConfusionMatrix, type ConfusionMatrixPlotOptions } from './confusion-matrix';
export { plotHeatmap, type HeatmapOptions } from './heatmap';
export { plotEmbedding2d, type Embedding2dOptions, type Points2d } from './embedding';
export { plotPersistenceDiagram, plotBarcode, type DiagramToPlot, type PersistencePlotOptions } from './persistence';
export { imageGrid, type ImageGridOptions } from './image-grid';
export { plotLrFinder, type LrFinderPlotData } from './lr-finder';
export { savePlot, renderPlotPng, svgToPng, plotFontFile, type Plot, type RenderOptions } from './render';
