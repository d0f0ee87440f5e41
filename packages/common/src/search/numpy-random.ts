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

/**
 * numpy's default argsort (kind='quicksort': introsort with median-of-three partitions and insertion sort on ranges of
 * at most 16 elements). It is not stable, and Optuna's TPE bandwidths depend on how it orders equal values, so reproducing
 * Optuna needs its exact order.
 */
export function numpyArgsort(values: ArrayLike<number>): number[] {
  const v = values;
  const idx = Array.from({ length: v.length }, (_, i) => i);
  const less = (a: number, b: number): boolean => a < b || (b !== b && a === a); // NaNs sort last
  const swap = (i: number, j: number): void => {
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  };
  const stack: number[] = [];
  const depthStack: number[] = [];
  let pl = 0;
  let pr = v.length - 1;
  let cdepth = v.length > 0 ? Math.floor(Math.log2(v.length)) * 2 : 0;
  for (;;) {
    if (cdepth < 0) {
      // numpy falls back to heapsort on degenerate partitions; any correct order of this range is numpy's only if
      // it matches its heapsort, which we reproduce too.
      heapsortRange(idx, v, pl, pr - pl + 1, less);
    } else {
      while (pr - pl > 15) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        if (less(v[idx[pr]], v[idx[pm]])) swap(pr, pm);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (less(v[idx[pi]], vp));
          do --pj;
          while (less(vp, v[idx[pj]]));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depthStack.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = idx[pi];
        const vp = v[vi];
        let pj = pi;
        while (pj > pl && less(vp, v[idx[pj - 1]])) {
          idx[pj] = idx[pj - 1];
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop() as number;
    pl = stack.pop() as number;
    cdepth = depthStack.pop() as number;
  }
  return idx;
}

/** numpy's aheapsort on idx[start .. start+n). */
function heapsortRange(
  idx: number[],
  v: ArrayLike<number>,
  start: number,
  n: number,
  less: (a: number, b: number) => boolean,
): void {
  // numpy's heapsort uses 1-based indexing into the range.
  const a = (k: number): number => idx[start + k - 1];
  const set = (k: number, val: number): void => {
    idx[start + k - 1] = val;
  };
  let i: number;
  let j: number;
  let tmp: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = a(l);
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && less(v[a(j)], v[a(j + 1)])) j += 1;
      if (less(v[tmp], v[a(j)])) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
  for (; n > 1; ) {
    tmp = a(n);
    set(n, a(1));
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && less(v[a(j)], v[a(j + 1)])) j++;
      if (less(v[tmp], v[a(j)])) {
        set(i, a(j));
        i = j;
        j += j;
      } else break;
    }
    set(i, tmp);
  }
}
