// A data-parallel worker thread (rank >= 1): starts its own backend (one wasm thread), rebuilds the module and data
// with the replica factory, and runs its own Trainer with the DataParallelStrategy of its rank until its fit ends
// (or rank 0's does). A failure is written to the shared control block, where rank 0's barrier reports it.
import { workerData } from 'node:worker_threads';
import { initBackend } from '../../backend';
import { Trainer } from '../trainer';
import { DataParallelStrategy, type WorkerData } from './data-parallel';
import type { ReplicaFactory } from './replica';
import { SharedExchange } from './shared-exchange';

export async function runWorker(): Promise<void> {
  const data = workerData as WorkerData;
  const exchange = new SharedExchange(data.buffer, data.layout, data.rank);
  try {
    await initBackend(data.backend, { log: () => undefined });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const factory = require(data.replica.module)[data.replica.export] as ReplicaFactory | undefined;
    if (typeof factory !== 'function')
      throw new Error(`replica factory: ${data.replica.module} exports no function '${data.replica.export}'`);
    const replica = await factory(data.replica.args, { rank: data.rank, worldSize: data.worldSize });
    try {
      const strategy = new DataParallelStrategy({
        worldSize: data.worldSize,
        rank: data.rank,
        buffer: data.buffer,
        layout: data.layout,
        shardedBatches: replica.shardedTrain,
      });
      const trainer = new Trainer({ ...replica.trainer, strategy, callbacks: replica.callbacks ?? [] });
      await trainer.fit(replica.module, replica.train, undefined, { resumeFrom: data.resumeFrom });
    } finally {
      replica.dispose?.();
    }
  } catch (error) {
    exchange.markFailed(data.rank, (error as Error).stack ?? String(error));
  }
}
