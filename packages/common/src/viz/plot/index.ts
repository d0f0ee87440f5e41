export { plotTrainingCurves, type TrainingCurvesOptions, type TrainingHistory } from './trainingCurves';
export { plotConfusionMatrix, normalizeConfusionMatrix, type ConfusionMatrixPlotOptions } from './confusionMatrix';
export { plotHeatmap, type HeatmapOptions } from './heatmap';
export { plotEmbedding2d, type Embedding2dOptions, type Points2d } from './embedding';
export { plotPersistenceDiagram, plotBarcode, type DiagramToPlot, type PersistencePlotOptions } from './persistence';
export { imageGrid, type ImageGridOptions } from './imageGrid';
export { plotLrFinder, type LrFinderPlotData } from './lrFinder';
export { savePlot, renderPlotPng, svgToPng, plotFontFile, type Plot, type RenderOptions } from './render';
