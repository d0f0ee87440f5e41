// A Mersenne Twister that draws the same numbers as numpy's legacy `np.random.RandomState(seed)`, which Optuna's
// samplers use: seeding, random_sample, uniform, randint (masked rejection) and choice (with and without p). Drawing
// the same stream lets our samplers be checked number for number against Optuna's for a given seed.

const N = 624;
const M = 397;

export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed?: number) {
    this.seed(seed ?? Math.floor(Math.random() * 0x100000000));
  }

  /** numpy's `mt19937_seed` (an integer seed in [0, 2**32)). */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`NumpyRandomState: seed must be an integer in [0, 2**32), got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private generate(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
      mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  nextUint32(): number {
    if (this.index >= N) this.generate();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) from 53 random bits, as numpy's `random_sample`. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.randomSample();
  }

  /** An integer in [low, high) by numpy's legacy masked rejection sampling (ranges below 2**32). */
  randint(low: number, high: number): number {
    const range = high - 1 - low;
    if (range < 0) throw new Error(`randint: empty range [${low}, ${high})`);
    if (range === 0) return low;
    if (range > 0xffffffff) throw new Error('randint: ranges of 2**32 or more are not supported');
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > range);
    return low + value;
  }

  /** `choice(n, p=p)`: draws one uniform and searches the normalised cumulative sum (side='right'). */
  choice(n: number, p?: ArrayLike<number>): number {
    if (p === undefined) return this.randint(0, n);
    const cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += p[i];
      cdf[i] = sum;
    }
    for (let i = 0; i < n; i++) cdf[i] /= cdf[n - 1];
    return searchSortedRight(cdf, this.randomSample());
  }
}

/** First index whose value is greater than x (numpy's searchsorted side='right'). */
export function searchSortedRight(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}
