// The public surface of @research/triplet-vae.
// The models (ImageTransformer, MultiTaskImageTransformer, tripletVaeClassifier, ...) are common's (models/triplet-vae).
export { buildTripletVaeModel } from './model';
export {
  TripletDataset,
  sampleTriplets,
  indicesByClass,
  type Triplets,
  type TripletDatasetOptions,
} from './triplet-dataset';
export { tripletVaeLoss, lossTerms, lossWeights, tripletTerm, type TripletLayout } from './losses';
export { tripletVaeModule } from './module';
export { composeTripletVaeConfig, tripletVaeSchema, CONFIG_DIR, type TripletVaeConfig } from './config';
export { loadCheckpoint, modelForConfig, type RestoredModel, type LoadCheckpointOptions } from './checkpoint';
export { runInference, knnAccuracy, type DatasetOutputs } from './evaluation';
export { tripletVaeApp, scheduleSpec } from './app';
export { exportClassifierOnnx, type ExportClassifierOptions } from './onnx';
