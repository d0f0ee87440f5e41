// The public surface of the metrics module: classification metrics equal to scikit-learn's (sklearn.metrics 1.2).
export type { LabelArray, ZeroDivision, WarningOptions } from './labels';
export { confusionMatrix, type ConfusionMatrixOptions } from './confusion';
export {
  accuracyScore,
  balancedAccuracyScore,
  topKAccuracyScore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  type Average,
  type PrfOptions,
  type PrfPerLabel,
  type PrfAveraged,
  type ScoreMatrix,
} from './scores';
export {
  classificationReport,
  classificationReportData,
  formatFixed,
  type ReportOptions,
  type ReportRow,
  type ReportData,
} from './report';
export { labelsFromTensor } from './tensor';
