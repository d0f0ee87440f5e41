// The public surface of the tda module: Vietoris-Rips persistence diagrams (H0, H1), bottleneck and Wasserstein
// distances, diagrams of activations, and diagram / point-cloud files.
export type { PersistencePair, PersistenceDiagram, PairLike } from './types';
export type { PointMatrix, DistanceMatrix, PointMetric, PointsLike } from './distances';
export { ripsPersistence, type RipsOptions, type RipsInput } from './rips';
export { bottleneckDistance } from './bottleneck';
export { wassersteinDistance, type WassersteinOptions } from './wasserstein';
export { activationDiagrams, type ActivationDiagramOptions } from './activations';
export { diagramsToJson, parseDiagramsJson, readDiagramsFile, writeDiagramsFile } from './diagram-json';
export { readPointsFile, parseCsvPoints, parseJsonPoints, parseNpyPoints } from './points-io';
