// The shared memory through which data-parallel ranks average their gradients (the all-reduce of DDP, without any
// message passing): one SharedArrayBuffer holding a control block (barrier, done/failed flags), a broadcast area for
// rank 0's weights, and two exchange areas (used alternately by step parity, so a rank that leaves a barrier early
// can write step t+1 while a slower one still reads step t). Every rank sums the slots in rank order in float64, so
// all ranks compute bit-identical averages.

/** Sizes fixed at launch: every rank builds the same module, so these agree. */
export interface ExchangeLayout {
  worldSize: number;
  /** Total elements of the trainable weights (the gradients). */
  gradElements: number;
  /** Total elements of the non-trainable weights (BatchNorm statistics), broadcast from rank 0 each step. */
  bufferElements: number;
  /** Total elements of all weights (broadcast once when a fit starts). */
  weightElements: number;
}

/** Scalars per rank and step: the shard's example count, its mean loss, then its mean logs. */
export const MAX_LOGS = 30;
const HEADER = 2 + MAX_LOGS;
const CONTROL_INTS = 8;
const ERROR_BYTES = 4096;
// Control block indices.
const GENERATION = 0;
const ARRIVED = 1;
const DONE = 2;
const FAILED_RANK = 3; // rank + 1 of a failed rank, 0 when none
const ERROR_LENGTH = 4;

export class RankStopped extends Error {
  constructor() {
    super('rank 0 finished its fit');
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Byte size of the SharedArrayBuffer for a layout. */
export function exchangeBytes(l: ExchangeLayout): number {
  return offsets(l).total;
}

function offsets(l: ExchangeLayout) {
  const control = 0;
  const error = control + CONTROL_INTS * 4;
  const headers = align8(error + ERROR_BYTES);
  const headerBytes = 2 * l.worldSize * HEADER * 8;
  const weights = headers + headerBytes;
  const slot = l.gradElements + l.bufferElements;
  const exchange = align8(weights + l.weightElements * 4);
  const total = align8(exchange + 2 * l.worldSize * slot * 4);
  return { control, error, headers, weights, exchange, slot, total };
}

/** One rank's view of the shared memory. */
export class SharedExchange {
  private readonly control: Int32Array;
  private readonly errorText: Uint8Array;
  private readonly headers: Float64Array;
  readonly weights: Float32Array;
  private readonly slots: Float32Array;
  private readonly slotSize: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: ExchangeLayout,
    readonly rank: number,
  ) {
    const o = offsets(layout);
    if (buffer.byteLength !== o.total)
      throw new Error(`SharedExchange: buffer has ${buffer.byteLength} bytes, the layout needs ${o.total}`);
    this.control = new Int32Array(buffer, o.control, CONTROL_INTS);
    this.errorText = new Uint8Array(buffer, o.error, ERROR_BYTES);
    this.headers = new Float64Array(buffer, o.headers, 2 * layout.worldSize * HEADER);
    this.weights = new Float32Array(buffer, o.weights, layout.weightElements);
    this.slots = new Float32Array(buffer, o.exchange, 2 * layout.worldSize * o.slot);
    this.slotSize = o.slot;
  }

  static create(layout: ExchangeLayout): SharedArrayBuffer {
    return new SharedArrayBuffer(exchangeBytes(layout));
  }

  /** Rank 0: its fit is over; ranks waiting at (or later reaching) a barrier throw RankStopped. */
  markDone(): void {
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, GENERATION);
  }

  get done(): boolean {
    return Atomics.load(this.control, DONE) === 1;
  }

  /** A rank failed: the others stop waiting and report `message`. */
  markFailed(rank: number, message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES);
    if (Atomics.compareExchange(this.control, FAILED_RANK, 0, rank + 1) === 0) {
      this.errorText.set(bytes);
      Atomics.store(this.control, ERROR_LENGTH, bytes.length);
    }
    Atomics.notify(this.control, GENERATION);
  }

  /** The first failure, if any: which rank and its message. */
  failure(): { rank: number; message: string } | undefined {
    const rank = Atomics.load(this.control, FAILED_RANK) - 1;
    if (rank < 0) return undefined;
    const length = Atomics.load(this.control, ERROR_LENGTH);
    return { rank, message: new TextDecoder().decode(this.errorText.slice(0, length)) };
  }

  /** Waits until every rank has arrived (a generation barrier); throws if a rank failed or rank 0 is done. */
  barrier(): void {
    const c = this.control;
    this.check();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.layout.worldSize - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) {
      Atomics.wait(c, GENERATION, generation, 200);
      if (Atomics.load(c, GENERATION) !== generation) break;
      this.check();
    }
  }

  private check(): void {
    const failed = this.failure();
    if (failed) throw new Error(`data-parallel rank ${failed.rank} failed: ${failed.message}`);
    if (this.rank !== 0 && this.done) throw new RankStopped();
  }

  /** This rank's gradient slot (then its buffer slot) in the exchange area of `parity`. */
  slot(parity: number, rank = this.rank): Float32Array {
    const start = (parity * this.layout.worldSize + rank) * this.slotSize;
    return this.slots.subarray(start, start + this.slotSize);
  }

  header(parity: number, rank = this.rank): Float64Array {
    const start = (parity * this.layout.worldSize + rank) * HEADER;
    return this.headers.subarray(start, start + HEADER);
  }

  /**
   * After the barrier: the example-weighted mean of every rank's gradients (sum_r n_r g_r / sum_r n_r) and scalars,
   * summed in rank order in float64; rank 0's buffers. Ranks with 0 examples contribute nothing.
   */
  reduce(parity: number, logCount: number): { total: number; scalars: Float64Array; grads: Float32Array } {
    const n = this.layout.gradElements;
    const scalars = new Float64Array(1 + logCount);
    const counts: number[] = [];
    const slots: Float32Array[] = [];
    let total = 0;
    for (let r = 0; r < this.layout.worldSize; r++) {
      const header = this.header(parity, r);
      const count = header[0];
      if (count === 0) continue;
      total += count;
      for (let k = 0; k <= logCount; k++) scalars[k] += count * header[1 + k];
      counts.push(count);
      slots.push(this.slot(parity, r));
    }
    const grads = new Float32Array(n);
    if (total === 0) return { total, scalars, grads };
    for (let k = 0; k <= logCount; k++) scalars[k] /= total;
    // Each element summed in rank order in float64 (JS numbers), then rounded once to float32.
    if (slots.length === 2) {
      const [a, b] = slots;
      const [ca, cb] = counts;
      for (let i = 0; i < n; i++) grads[i] = (ca * a[i] + cb * b[i]) / total;
    } else {
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let r = 0; r < slots.length; r++) sum += counts[r] * slots[r][i];
        grads[i] = sum / total;
      }
    }
    return { total, scalars, grads };
  }
}
