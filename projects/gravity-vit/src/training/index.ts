// Training pieces of gravity-vit: the loss, the TrainModule, per-epoch set-wise scores and end-of-run artifacts.
export { classificationLoss, type LossSpec, type LossFn } from './loss';
export { gravityModule, type GravityModule, type GravityModuleOptions } from './module';
export { PredictionStore, type EpochScores } from './predictions';
export { ClassificationScores } from './metrics-callback';
export { writeEvaluationArtifacts, type EvaluationArtifacts } from './artifacts';
