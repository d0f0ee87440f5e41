export type { Reduction } from './reduce';
export { crossEntropy, focalLoss, type CrossEntropyOptions, type FocalLossOptions } from './classification';
export { tripletMarginLoss, batchHardTripletLoss, euclideanDistanceMatrix, type TripletMarginOptions } from './metric';
export { gaussianKlDivergence, mseLoss, bceWithLogits, bceFromProbs } from './reconstruction';
export { weightedLossSum } from './multitask';
