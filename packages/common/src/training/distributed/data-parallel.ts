// Data-parallel training as a gradient strategy (Lightning's DDP strategy): the process's own Trainer is rank 0 and
// launches ranks 1..n-1 as worker threads, each with its own tfjs backend, rebuilding the module from a replica
// factory and running its own Trainer with this strategy. Every rank takes its contiguous shard of each global
// batch, computes the shard's gradients, and the ranks average them through shared memory (SharedExchange); every
// rank then applies the same averaged gradients, so all hold identical weights after every step. Rank 0's weights
// are broadcast when a fit starts and its non-trainable weights (BatchNorm statistics) after every step, as DDP's
// broadcast_buffers does. Only rank 0 runs the run's callbacks (progress, loggers, checkpoints).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, type BackendPreference } from '../../backend';
import type { Batch } from '../../data/batch';
import type { Callback } from '../callback';
import type { ModuleParameters, StepContext, TrainModule } from '../module';
import type { PrecisionPlugin } from '../precision/plugin';
import {
  type GradientStrategy,
  type StepGradients,
  type StrategySetup,
  standardGradients,
} from '../strategy/gradient-strategy';
import type { ReplicaFactoryRef } from './replica';
import { type ExchangeLayout, MAX_LOGS, RankStopped, SharedExchange } from './shared-exchange';

export interface DataParallelOptions {
  /** Ranks in all, this process included (>= 1). */
  worldSize: number;
  /** rank 0 (default) launches the others; worker threads construct ranks >= 1 with the shared buffer. */
  rank?: number;
  /** Rank 0: how a worker rebuilds the module and its data (required when worldSize > 1). */
  replica?: ReplicaFactoryRef;
  /** Rank 0: the workers' backend; default the backend this process runs. */
  backend?: BackendPreference;
  /** Ranks >= 1: the memory rank 0 shares. */
  buffer?: SharedArrayBuffer;
  layout?: ExchangeLayout;
  /** Ranks >= 1: the training source already yields only this rank's rows of each global batch (BatchSource.shard). */
  shardedBatches?: boolean;
}

/** What a worker thread receives (worker-main.ts). */
export interface WorkerData {
  rank: number;
  worldSize: number;
  buffer: SharedArrayBuffer;
  layout: ExchangeLayout;
  replica: ReplicaFactoryRef;
  backend: BackendPreference;
  resumeFrom?: string;
  entry: string;
  tsxRegister?: string;
}

// Plain JS run by each worker thread: registers tsx when the entry is TypeScript, runs worker-main's runWorker, and
// reports any failure (loading it, or an error thrown outside it) through the shared control block: rank 0 is blocked
// in a barrier, not reading events.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
function fail(error) {
  const control = new Int32Array(workerData.buffer, 0, 8);
  const text = new TextEncoder().encode(String(error && error.stack || error)).subarray(0, 4096);
  if (Atomics.compareExchange(control, 3, 0, workerData.rank + 1) === 0) {
    new Uint8Array(workerData.buffer, 32, 4096).set(text);
    Atomics.store(control, 4, text.length);
  }
  Atomics.notify(control, 0);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
try {
  if (workerData.tsxRegister) require(workerData.tsxRegister);
  require(workerData.entry).runWorker().catch(fail);
} catch (error) {
  fail(error);
}
`;

function backendOfThisProcess(): BackendPreference {
  const active = activeBackend();
  if (active) return active.name;
  const name = tf.getBackend();
  return name === 'tensorflow' ? 'tfjs-node' : (name as BackendPreference);
}

function elements(vars: { variable: tf.Variable }[]): number {
  return vars.reduce((n, p) => n + p.variable.size, 0);
}

/** Rows [lo, hi) of a global batch of `size` rows for `rank` of `worldSize` (as equal as possible, in rank order). */
export function shardRange(size: number, rank: number, worldSize: number): [number, number] {
  return [Math.floor((rank * size) / worldSize), Math.floor(((rank + 1) * size) / worldSize)];
}

export class DataParallelStrategy implements GradientStrategy {
  readonly name = 'accelerate';
  readonly worldSize: number;
  readonly rank: number;
  private exchange?: SharedExchange;
  private workers: Worker[] = [];
  /** Resolved when each worker has exited (listened to from the start: a worker may end before rank 0 asks). */
  private exits: Promise<unknown>[] = [];
  private buffers: ModuleParameters['all'] = [];
  private stop?: (reason: string) => void;
  private calls = 0;
  private logKeys?: string[];
  /** Milliseconds this rank spent per part of its steps so far: its shard's gradients, waiting, averaging. */
  readonly timings = { steps: 0, computeMs: 0, waitMs: 0, averageMs: 0 };

  constructor(private readonly opts: DataParallelOptions) {
    if (!(Number.isInteger(opts.worldSize) && opts.worldSize >= 1))
      throw new Error(`accelerate: the number of workers must be an integer >= 1, got ${opts.worldSize}`);
    this.worldSize = opts.worldSize;
    this.rank = opts.rank ?? 0;
    if (this.rank > 0 && !(opts.buffer && opts.layout))
      throw new Error(`accelerate: rank ${this.rank} needs rank 0's shared buffer and layout`);
  }

  /** Rank 0 starts the workers (they restore `resumeFrom` too); ranks >= 1 check their module matches rank 0's. */
  setup(_module: TrainModule, params: ModuleParameters, opts: StrategySetup): void {
    this.stop = opts.stop;
    this.calls = 0;
    const trainable = new Set(params.trainable);
    const buffers = params.all.filter((p) => !trainable.has(p));
    this.buffers = buffers;
    const layout: ExchangeLayout = {
      worldSize: this.worldSize,
      gradElements: elements(params.trainable),
      bufferElements: elements(buffers),
      weightElements: elements(params.all),
    };
    if (this.rank > 0) {
      const expected = this.opts.layout as ExchangeLayout;
      if (JSON.stringify(layout) !== JSON.stringify(expected))
        throw new Error(
          `accelerate: rank ${this.rank}'s module has weights ${JSON.stringify(layout)}, rank 0's ${JSON.stringify(expected)}: the replica factory must build the same module`,
        );
      this.exchange = new SharedExchange(this.opts.buffer as SharedArrayBuffer, expected, this.rank);
      return;
    }
    if (this.worldSize === 1) return;
    if (!this.opts.replica) {
      throw new Error(
        `accelerate: ${this.worldSize} workers need a replica factory to start ranks 1..${this.worldSize - 1} ` +
          '(an app gives AppDefinition.factory; the run layer passes SetupContext.replica to trainingPluginsFromConfig)',
      );
    }
    if (this.workers.length > 0) throw new Error('accelerate: a DataParallelStrategy runs one fit at a time');
    const buffer = SharedExchange.create(layout);
    this.exchange = new SharedExchange(buffer, layout, 0);
    const entry = path.join(__dirname, `worker-main${path.extname(__filename)}`);
    const base: Omit<WorkerData, 'rank'> = {
      worldSize: this.worldSize,
      buffer,
      layout,
      replica: this.opts.replica as ReplicaFactoryRef,
      backend: this.opts.backend ?? backendOfThisProcess(),
      resumeFrom: opts.resumeFrom,
      entry,
      tsxRegister: entry.endsWith('.ts') ? require.resolve('tsx/cjs') : undefined,
    };
    for (let rank = 1; rank < this.worldSize; rank++) {
      const workerData: WorkerData = { ...base, rank };
      // One wasm thread per worker: the ranks are the parallelism.
      const env = { ...process.env, RESEARCH_WASM_THREADS: '0' };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData, env });
      const exchange = this.exchange;
      worker.on('error', (error) => exchange.markFailed(rank, error.stack ?? String(error)));
      this.exits.push(new Promise((resolve) => worker.once('exit', resolve)));
      this.workers.push(worker);
    }
  }

  computeGradients(
    module: TrainModule,
    params: ModuleParameters,
    batch: Batch,
    ctx: StepContext,
    precision?: PrecisionPlugin,
  ): StepGradients {
    const exchange = this.exchange;
    if (!exchange) return standardGradients(module, params, batch, ctx, precision);
    try {
      if (this.calls === 0) this.broadcastWeights(exchange, params);
      return this.step(exchange, module, params, batch, ctx, precision);
    } catch (error) {
      if (!(error instanceof RankStopped)) throw error;
      this.stop?.('rank 0 finished its fit');
      return { loss: 0, logs: {}, grads: {} };
    }
  }

  private step(
    exchange: SharedExchange,
    module: TrainModule,
    params: ModuleParameters,
    batch: Batch,
    ctx: StepContext,
    precision?: PrecisionPlugin,
  ): StepGradients {
    const first = Object.values(batch)[0];
    const rows = first ? first.shape[0] : 0;
    const sharded = this.opts.shardedBatches === true;
    const [lo, hi] = sharded ? [0, rows] : shardRange(rows, this.rank, this.worldSize);
    const parity = this.calls++ % 2;
    const header = exchange.header(parity);
    const slot = exchange.slot(parity);
    header.fill(0);
    const started = performance.now();
    if (hi <= lo) slot.fill(0, 0, exchange.layout.gradElements);
    else {
      const shard = sharded
        ? batch
        : tf.tidy(() => {
            const out: Batch = {};
            for (const [key, t] of Object.entries(batch)) out[key] = t.slice(lo, hi - lo);
            return out;
          });
      let local: StepGradients;
      try {
        local = standardGradients(module, params, shard, ctx, precision);
      } finally {
        if (!sharded) tf.dispose(shard); // the Trainer disposes the batch it passed
      }
      this.logKeys ??= Object.keys(local.logs).sort();
      if (this.logKeys.length > MAX_LOGS)
        throw new Error(`accelerate: at most ${MAX_LOGS} logged scalars per step, got ${this.logKeys.length}`);
      header[0] = hi - lo;
      header[1] = local.loss;
      this.logKeys.forEach((k, i) => (header[2 + i] = local.logs[k] ?? 0));
      let offset = 0;
      for (const p of params.trainable) {
        const g = local.grads[p.name];
        if (g) slot.set(g.dataSync() as Float32Array, offset);
        else slot.fill(0, offset, offset + p.variable.size);
        offset += p.variable.size;
      }
      tf.dispose(local.grads);
    }
    if (this.rank === 0) {
      let offset = exchange.layout.gradElements;
      for (const p of this.buffers) {
        slot.set(p.variable.dataSync() as Float32Array, offset);
        offset += p.variable.size;
      }
    }
    const computed = performance.now();
    exchange.barrier();
    const arrived = performance.now();
    const keys = this.logKeys ?? [];
    const { scalars, grads } = exchange.reduce(parity, keys.length);
    if (this.rank > 0) this.assignBuffers(exchange.slot(parity, 0), exchange.layout.gradElements);
    const out: Record<string, tf.Tensor> = {};
    let offset = 0;
    for (const p of params.trainable) {
      out[p.name] = tf.tensor(grads.subarray(offset, offset + p.variable.size), p.variable.shape, 'float32');
      offset += p.variable.size;
    }
    const logs: Record<string, number> = {};
    keys.forEach((k, i) => (logs[k] = scalars[1 + i]));
    const t = this.timings;
    t.steps++;
    t.computeMs += computed - started;
    t.waitMs += arrived - computed;
    t.averageMs += performance.now() - arrived;
    return { loss: scalars[0], logs, grads: out };
  }

  /** Rank 0's weights to every rank when a fit starts (the module and a resumed checkpoint are the same anyway). */
  private broadcastWeights(exchange: SharedExchange, params: ModuleParameters): void {
    if (this.rank === 0) {
      let offset = 0;
      for (const p of params.all) {
        exchange.weights.set(p.variable.dataSync() as Float32Array, offset);
        offset += p.variable.size;
      }
    }
    exchange.barrier();
    if (this.rank === 0) return;
    let offset = 0;
    for (const p of params.all) {
      const values = exchange.weights.slice(offset, offset + p.variable.size);
      tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, 'float32')));
      offset += p.variable.size;
    }
  }

  private assignBuffers(rank0Slot: Float32Array, start: number): void {
    let offset = start;
    for (const p of this.buffers) {
      const values = rank0Slot.slice(offset, offset + p.variable.size);
      tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape, 'float32')));
      offset += p.variable.size;
    }
  }

  /** Rank 0's callback: when its fit ends, releases the workers waiting for a next step and waits until they exit. */
  callback(): Callback {
    return { onFitEnd: () => this.finish() };
  }

  /** Rank 0: tells the workers the fit is over and waits for them to exit (a worker's failure is thrown). */
  async finish(): Promise<void> {
    if (this.rank !== 0 || !this.exchange) return;
    this.exchange.markDone();
    const exits = this.exits;
    this.workers = [];
    this.exits = [];
    await Promise.all(exits);
    const failed = this.exchange.failure();
    this.exchange = undefined;
    if (failed) throw new Error(`data-parallel rank ${failed.rank} failed: ${failed.message}`);
  }

  /** Stops the workers at once (rank 0's fit failed). */
  async dispose(): Promise<void> {
    this.exchange?.markDone();
    this.exchange = undefined;
    const workers = this.workers;
    this.workers = [];
    this.exits = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
