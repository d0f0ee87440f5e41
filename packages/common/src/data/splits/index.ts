// Index-based cross-validation: <data_dir>/raw/<class>/<image> split into a shared test set and stratified folds
// (<data_dir>/splits/test.txt, fold_<k>_train.txt, fold_<k>_val.txt), and reading those index files back.
export {
  allocateProportionally,
  assignStratifiedFolds,
  type FoldAssignment,
  type FoldOptions,
} from './stratified-folds';
export { scanRawImages, type RawImageScan, type RejectedImage } from './scan-raw';
export {
  createSplits,
  readIndexFile,
  splitIndexFiles,
  type CreateSplitsOptions,
  type SplitIndexFiles,
  type SplitsSummary,
} from './write-splits';
