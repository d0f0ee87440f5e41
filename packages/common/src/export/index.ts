// The export module: tfjs models to ONNX (a converter per layer class, extensible with registerOnnxConverter),
// inference through onnxruntime-node with tfjs tensors, and validation of an exported file against its model.
export { exportToOnnx, DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, METADATA_LAYOUT } from './exporter';
export type { OnnxExport, OnnxExportOptions, OnnxLayout, OnnxTensorInfo } from './exporter';
export {
  registerOnnxConverter,
  registerOnnxActivation,
  listOnnxConverters,
  listOnnxActivations,
  onnxAxis,
  onnxShape,
} from './converter';
export type { ConvertContext, Layout as OnnxValueLayout, OnnxConverter, OnnxActivation, OnnxValue } from './converter';
export {
  OnnxGraph,
  attr as onnxAttr,
  encodeModel as encodeOnnxModel,
  decodeModel as decodeOnnxModel,
  ONNX_IR_VERSION,
} from './onnx-graph';
export type { Dim as OnnxDim } from './onnx-graph';
export {
  geluErf as onnxGeluErf,
  geluTanh as onnxGeluTanh,
  hardSwish as onnxHardSwish,
  clip as onnxClip,
} from './activations';
export { reduce as onnxReduce, reduceMean as onnxReduceMean, layerNormalization as onnxLayerNorm } from './ops';
export { OnnxPredictor, inferOnnx, readOnnxMetadata } from './infer';
export type { OnnxPredictorOptions } from './infer';
export { validateOnnx, validateOnnxOnDataset, writeValidationReport, maxAbsDiff, VALIDATION_REPORT } from './validate';
export type { ValidateOnnxOptions, RandomValidation, DatasetValidationOptions, DatasetValidation } from './validate';
export { benchmarkInference, callsPerSecond } from './benchmark';
export type { InferenceThroughput, BenchmarkOptions } from './benchmark';
export { exportCheckpoint, exportModelFile, defaultOnnxPath } from './checkpoint-export';
export type { ExportCheckpointOptions, ExportCheckpointResult } from './checkpoint-export';
export { checkOnnxWithPython, pythonOnnxAvailable, ONNX_CHECK_SCRIPT } from './python-checker';
export type { OnnxCheckResult } from './python-checker';
export {
  torchReferenceAvailable,
  torchReferenceName,
  torchReferenceScript,
  torchReferenceThroughput,
  TORCH_REFERENCE_MODELS,
} from './torch-reference';
export type { TorchThroughput } from './torch-reference';
