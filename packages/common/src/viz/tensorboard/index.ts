export { SummaryWriter, type SummaryWriterOptions } from './summaryWriter';
export { buildHistogram, tensorflowBucketEdges, type HistogramBins } from './histogram';
export { encodeTfRecord, maskedCrc32c } from './tfrecord';
