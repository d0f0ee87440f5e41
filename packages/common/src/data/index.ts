// The public surface of the data module.
export type { Batch, BatchSource } from './batch';
