// A seeded generator shared by data loading, augmentation and training, independent of Math.random and of tfjs.
// xoshiro128** (Blackman & Vigna) with its 128-bit state seeded by splitmix32; the state can be saved and restored,
// so a resumed run continues the exact same stream.

export interface Rng {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A standard normal sample (Box-Muller). */
  normal(): number;
  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(array: A): A;
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** The 4-word state, for checkpoints. */
  getState(): number[];
  setState(state: readonly number[]): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes several integers (a seed, an epoch, a batch index, ...) into one 32-bit seed. */
export function mixSeeds(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const next = splitmix32((h ^ (part >>> 0)) >>> 0);
    h = next() ^ Math.imul(next(), 31);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: the seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) >>> 0);
  const s = new Uint32Array([init(), init(), init(), init()]);
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };

  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(rng.next() * n);
    },
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    normal() {
      // 1 - next() is in (0, 1], so the log is finite.
      const u = 1 - rng.next();
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    permutation(n) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = i;
      return rng.shuffle(out);
    },
    getState: () => Array.from(s),
    setState(state) {
      if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
        throw new Error(`rng.setState: expected 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`);
      }
      s.set(state);
    },
  };
  return rng;
}

/** mulberry32: a small 32-bit-state generator of uniform floats in [0, 1), for seeded sampling in tda and viz. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
