// A small thread pool for the C kernels: Node worker threads that each instantiate kernels.c on the same shared
// memory (tfjs's threaded binary), and run their share (part p of parts) of a kernel when the main thread posts
// one. Posting is a write to a shared Int32Array and an Atomics.notify, not a message: a round trip costs tens of
// microseconds, so only kernels of a millisecond or more are split.
//
// Off by default (RESEARCH_OWN_KERNELS=2 turns it on): in one 1,000-step vit-tiny run on a heavily loaded machine a
// worker did not finish its part of a product within 20 s (the cause is not found; 200,000 pooled products in a
// stress loop ran fine). `run` then throws rather than hang, and the pool stays off for the rest of the process.
import { Worker } from 'node:worker_threads';

// Control block (Int32Array over a SharedArrayBuffer).
const GENERATION = 0; // incremented for each task; workers wait on it
const PENDING = 1; // workers still running the current task
const READY = 2; // workers that have started and wait for tasks
const FAILED = 3; // set by a worker whose part threw
const FUNCTION = 4; // index into the names list; -1 tells the workers to exit
const ARG_COUNT = 5;
const ARGS = 6;
/** How long the calling thread waits for the workers before it gives up on the pool. */
const STALL_MS = 20_000;
const MAX_ARGS = 28;

// The worker: instantiate the module on the shared memory, then run tasks until told to exit.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { wasmModule, memory, control, names, part, parts } = workerData;
const fn = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports;
const ctl = new Int32Array(control);
// Tasks are posted only once every worker is ready, so none is missed between this load and the first wait.
let seen = Atomics.load(ctl, ${GENERATION});
Atomics.add(ctl, ${READY}, 1);
for (;;) {
  Atomics.wait(ctl, ${GENERATION}, seen);
  seen = Atomics.load(ctl, ${GENERATION});
  const index = Atomics.load(ctl, ${FUNCTION});
  if (index < 0) break;
  const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${ARG_COUNT}]));
  try {
    fn[names[index]](...args, part, parts);
  } catch (error) {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
}
`;

export class NativePool {
  private readonly control = new Int32Array(new SharedArrayBuffer((ARGS + MAX_ARGS) * 4));
  private readonly workers: Worker[] = [];
  private readonly names: string[];
  private broken = false;

  /** Starts `threads - 1` workers (the calling thread is the last part). */
  constructor(
    wasmModule: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly fn: Record<string, (...args: number[]) => void>,
    names: string[],
    readonly threads: number,
  ) {
    this.names = names;
    for (let part = 1; part < threads; part++) {
      const workerData = { wasmModule, memory, control: this.control.buffer, names, part, parts: threads };
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
      // The pool only ever serves kernels called by this thread: it must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /**
   * Runs `name(...args, part, parts)` for every part at once and returns when all are done. Until every worker has
   * started (they load asynchronously), this thread runs the parts one after the other.
   */
  run(name: string, args: number[]): void {
    const index = this.names.indexOf(name);
    if (index < 0) throw new Error(`native pool: no kernel '${name}'`);
    if (args.length > MAX_ARGS) throw new Error(`native pool: ${args.length} arguments exceed ${MAX_ARGS}`);
    const ctl = this.control;
    if (this.broken || Atomics.load(ctl, READY) < this.workers.length) {
      for (let part = 0; part < this.threads; part++) this.fn[name](...args, part, this.threads);
      return;
    }
    ctl[FUNCTION] = index;
    ctl[ARG_COUNT] = args.length;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i] | 0; // pointers above 2 GB wrap as in wasm
    Atomics.store(ctl, PENDING, this.workers.length);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    let failure: unknown;
    try {
      this.fn[name](...args, 0, this.threads);
    } catch (error) {
      failure = error; // rethrown once the workers are done with the arguments
    }
    const start = Date.now();
    for (let pending = Atomics.load(ctl, PENDING); pending !== 0; pending = Atomics.load(ctl, PENDING)) {
      if (Date.now() - start > STALL_MS) {
        // Never hang a training run: from now on this thread runs every part itself.
        this.broken = true;
        throw new Error(`native pool: a worker did not finish ${name} within ${STALL_MS} ms; the pool is now off`);
      }
      Atomics.wait(ctl, PENDING, pending, 1000);
    }
    if (failure !== undefined) throw failure;
    if (Atomics.exchange(ctl, FAILED, 0)) throw new Error(`native pool: ${name} failed on a worker thread`);
  }

  /** Whether every worker has started (before, `run` runs all parts on the calling thread). */
  get ready(): boolean {
    return Atomics.load(this.control, READY) === this.workers.length;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    Atomics.store(this.control, FUNCTION, -1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
