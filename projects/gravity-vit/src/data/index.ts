// Gravity Spy data: the class list and file layout, the lazy HDF5 reader, class weights and the Trainer's batches.
export * from './classes';
export { GravitySpyDataset, MERGED_HEIGHT, MERGED_WIDTH } from './gravity-spy-dataset';
export {
  scanGravitySpyFile,
  readView,
  type SampleEntry,
  type LayoutProblem,
  type ProblemKind,
  type FileScan,
} from './gravity-spy-file';
export { GravitySpySource, type GravitySpySourceOptions, type ViewMode } from './batch-source';
export { balancedClassWeights, cachedClassWeights, classWeightsCachePath } from './class-weights';
export { loadH5wasm } from './h5wasm-loader';
export { inspectGravitySpy, type InspectReport } from './inspect';
export { parseCsv, readMetadataCsv, type MetadataRow, type MetadataFile } from './metadata-csv';
