// How a data-parallel worker thread rebuilds what rank 0 trains: a module file that exports a replica factory, named
// by path (functions cannot cross threads). The factory runs in the worker after its backend started.
import type { BatchSource } from '../../data/batch';
import type { Callback } from '../callback';
import type { TrainModule } from '../module';
import type { TrainerOptions } from '../trainer';

/** A module file, the name of its exported ReplicaFactory, and the factory's arguments (structured-cloneable). */
export interface ReplicaFactoryRef {
  module: string;
  export: string;
  args?: unknown;
}

/** What one rank trains: the same module and the same global batches as rank 0, and the Trainer's settings. */
export interface Replica {
  module: TrainModule;
  train: BatchSource;
  /** `train` yields only this rank's rows of each global batch (from BatchSource.shard); default: whole batches. */
  shardedTrain?: boolean;
  /** maxEpochs, optimizer, schedule, seed, precision, ... as rank 0's (strategy and callbacks are the worker's). */
  trainer: Omit<TrainerOptions, 'strategy' | 'callbacks' | 'runDir'>;
  /** Callbacks every rank needs (precision's scaler state on resume); never loggers or checkpoints. */
  callbacks?: Callback[];
  dispose?(): void;
}

export interface ReplicaContext {
  rank: number;
  worldSize: number;
}

export type ReplicaFactory = (args: unknown, ctx: ReplicaContext) => Replica | Promise<Replica>;
