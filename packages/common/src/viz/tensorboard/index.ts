export { SummaryWriter, type SummaryWriterOptions } from './summary-writer';
export { buildHistogram, tensorflowBucketEdges, type HistogramBins } from './histogram';
export { encodeTfRecord, maskedCrc32c } from './tfrecord';
export {
  readEvents,
  readEventFile,
  isEventFile,
  type RunEvents,
  type ScalarPoint,
  type ImageEvent,
  type TextEvent,
} from './event-reader';
export { purgeEvents, type KeepEvent } from './purge';
