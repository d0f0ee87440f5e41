import { type Rng, createRng } from '../random';

/**
 * Global seeding, like Lightning's seed_everything. tfjs draws every unseeded random number (weight initializers,
 * dropout masks, tf.random*) from `Math.random()`, so `seedEverything` replaces Math.random with a seeded
 * generator (data's createRng, xoshiro128**) whose 128-bit state can be read and restored (checkpoints save it, resume restores it).
 * Data order is not drawn from here: BatchSources take their own seed and depend only on (seed, epoch).
 *
 * What is deterministic: on the `cpu` and `wasm` backends (single-threaded here) the same seed and the same code
 * give bit-identical initial weights, dropout masks and loss curves. Not covered: WebGL/WebGPU (float16 textures
 * and parallel reductions vary), tfjs-node (multi-threaded Eigen/oneDNN reductions may reorder sums), layers built
 * with an explicit `seed` in their config (they ignore the global generator), and anything that reads the clock.
 */
export type RngState = number[];

let installed: Rng | null = null;
const nativeRandom = Math.random;

/** Seeds Math.random (hence tfjs' unseeded initializers and dropout) with `seed`. */
export function seedEverything(seed: number): void {
  // Seeds are 32-bit (torch.manual_seed takes 64, numpy 32): a larger one would wrap and silently repeat a smaller one.
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32))
    throw new Error(`seedEverything: seed must be an integer in [0, 4294967295], got ${seed}`);
  install(createRng(seed));
}

function install(rng: Rng): void {
  installed = rng;
  Math.random = () => rng.next();
}

/** The global generator's state, or null when Math.random is the native (unseeded) one. */
export function getGlobalRngState(): RngState | null {
  return installed ? installed.getState() : null;
}

/** Restores a state from `getGlobalRngState` (null restores the native Math.random). */
export function setGlobalRngState(state: RngState | null): void {
  if (state === null) {
    unseedEverything();
    return;
  }
  const rng = createRng(0);
  rng.setState(state);
  install(rng);
}

/** Puts the native Math.random back. */
export function unseedEverything(): void {
  installed = null;
  Math.random = nativeRandom;
}
