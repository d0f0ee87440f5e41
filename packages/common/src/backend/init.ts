// Picks and initialises the TensorFlow.js backend: native TensorFlow when a user installed it, otherwise wasm made
// complete and fast by our kernels, otherwise the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batch-norm-grad';
import { registerSoftmaxGradient } from './fused-ops';
import { NATIVE_WASM_KERNELS, registerWasmKernels } from './kernels';
import { loadNativeKernels, setNativeKernelsEnabled } from './native/native-kernels';
import { startWithin } from './start-timeout';
import { prepareWasmThreads } from './wasm-threads';

export const BACKEND_PREFERENCES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
/** The environment variable that forces a backend (same values as `BackendPreference`). */
export const BACKEND_ENV_VAR = 'RESEARCH_BACKEND';

/** What runs, recorded by every run. */
export interface BackendInfo {
  /** The preference that was resolved: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu'. */
  name: Exclude<BackendPreference, 'auto'>;
  /** The tfjs backend name ('tensorflow', 'wasm', 'cpu'). */
  tfBackend: string;
  simd: boolean;
  threads: number;
  /** @tensorflow/tfjs version (and the native package's version when one runs). */
  version: string;
  /** wasm: the kernels that run the project's own C code (native/kernels.c); empty when it did not load. */
  ownKernels?: string[];
  /** wasm: the threads those kernels split their work over (1 with a single-threaded tfjs binary). */
  ownKernelThreads?: number;
}

export interface InitBackendOptions {
  /** Where the one-line report goes (default console.log). */
  log?: (line: string) => void;
  /** Whether an npm package can be resolved (default require.resolve); replaceable in tests. */
  isInstalled?: (pkg: string) => boolean;
  /**
   * Environment to read RESEARCH_BACKEND, RESEARCH_WASM_THREADS=0 (single-threaded wasm) and RESEARCH_OWN_KERNELS
   * (wasm's C kernels: 0 = off, N = on N threads; default on, one thread: the pool of N >= 2 threads stalled once in
   * a long run, see native-pool.ts) from (default process.env).
   */
  env?: NodeJS.ProcessEnv;
  /** Where kernels.wasm and kernels-shared.wasm are (default: the committed build in native/). */
  ownKernelsDir?: string;
}

const NATIVE_PACKAGES = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' } as const;

function defaultIsInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function missingNativeError(name: keyof typeof NATIVE_PACKAGES, source: string): Error {
  const pkg = NATIVE_PACKAGES[name];
  return new Error(
    `Backend '${name}' was requested (${source}) but the package ${pkg} is not installed. ` +
      `Install it with \`npm install --save-exact ${pkg}@${tf.version.tfjs} -w packages/common\` ` +
      `(its install script downloads libtensorflow from storage.googleapis.com, so it needs that network access` +
      (name === 'tfjs-node-gpu' ? ' and CUDA/cuDNN on the machine' : '') +
      `), or choose another backend: ${BACKEND_PREFERENCES.join(', ')}.`,
  );
}

/** The preference after applying RESEARCH_BACKEND, validated. */
export function resolveBackendPreference(
  preference: BackendPreference,
  env: NodeJS.ProcessEnv = process.env,
): { preference: BackendPreference; source: string } {
  const forced = env[BACKEND_ENV_VAR]?.trim();
  const [value, source] = forced
    ? [forced, `${BACKEND_ENV_VAR}=${forced}`]
    : [preference, `preference '${preference}'`];
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(value)) {
    throw new Error(`Unknown backend ${source}: expected one of ${BACKEND_PREFERENCES.join(', ')}.`);
  }
  return { preference: value as BackendPreference, source };
}

async function initNative(name: keyof typeof NATIVE_PACKAGES): Promise<BackendInfo> {
  const pkg = NATIVE_PACKAGES[name];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const native = require(pkg) as { version?: Record<string, string> };
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${pkg} is installed but its 'tensorflow' backend failed to start.`);
  const nativeVersion = native.version?.['tfjs-node'] ?? 'unknown';
  return {
    name,
    tfBackend: 'tensorflow',
    simd: true,
    threads: 0,
    version: `tfjs ${tf.version.tfjs}, ${pkg} ${nativeVersion}`,
  };
}

/**
 * Starts the project's C kernels on the wasm backend's heap with `threads` threads; returns the kernels that use them
 * and the threads they got. On failure the kernels keep their fallbacks.
 */
function loadOwnKernels(
  log: (line: string) => void,
  threads: number,
  dir?: string,
): { ownKernels: string[]; ownKernelThreads: number } {
  try {
    const native = loadNativeKernels(tf.backend() as unknown as Parameters<typeof loadNativeKernels>[0], threads, dir);
    setNativeKernelsEnabled(true);
    return { ownKernels: [...NATIVE_WASM_KERNELS], ownKernelThreads: native.parts };
  } catch (error) {
    setNativeKernelsEnabled(false);
    log(
      `[backend] WARNING: the project's wasm kernels did not load (${(error as Error).message}); using the fallbacks`,
    );
    return { ownKernels: [], ownKernelThreads: 0 };
  }
}

async function initWasm(
  useThreads: boolean,
  ownKernels: number | false,
  log: (line: string) => void,
  ownKernelsDir?: string,
): Promise<BackendInfo> {
  // Importing the package registers the 'wasm' backend factory; our kernels complete and replace some of its own.
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  // The wasm module is created once per process: the first initialisation decides threads or not.
  const threadsPatch =
    useThreads && !('wasm' in tf.engine().registry) ? prepareWasmThreads(wasm.setThreadsCount) : undefined;
  let started: boolean;
  try {
    started = await startWithin(
      tf.setBackend('wasm'),
      `the ${threadsPatch ? 'threaded ' : ''}wasm backend`,
      threadsPatch
        ? 'a pthread worker did not answer; RESEARCH_WASM_THREADS=0 starts the single-threaded module'
        : 'its module did not load',
    );
  } finally {
    threadsPatch?.restore();
  }
  if (!started && threadsPatch) {
    // A failed start can be retried: the retry builds the single-threaded module.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    started = await tf.setBackend('wasm');
  }
  if (!started) throw new Error('The wasm backend failed to start (see the error above).');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = (
    tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }
  ).wasm.tfjs.getThreadsCount();
  if (ownKernels === false) setNativeKernelsEnabled(false);
  const own =
    ownKernels === false
      ? { ownKernels: [], ownKernelThreads: 0 }
      : loadOwnKernels(log, ownKernels || 1, ownKernelsDir);
  return {
    name: 'wasm',
    tfBackend: 'wasm',
    simd,
    threads,
    version: `tfjs ${tf.version.tfjs}, wasm ${wasm.version_wasm}`,
    ...own,
  };
}

async function initCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error('The cpu backend failed to start.');
  return { name: 'cpu', tfBackend: 'cpu', simd: false, threads: 1, version: `tfjs ${tf.version.tfjs}` };
}

/** RESEARCH_OWN_KERNELS: false (off), a thread count, or 0 (on, the default thread count). */
function parseOwnKernels(value: string | undefined): number | false {
  if (value === undefined || value.trim() === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`RESEARCH_OWN_KERNELS=${value}: expected 0 (off) or a thread count`);
  return n === 0 ? false : n;
}

let active: BackendInfo | undefined;

/**
 * Selects and starts the backend: `auto` takes tfjs-node-gpu, then tfjs-node (only when installed), then wasm, then
 * cpu. RESEARCH_BACKEND overrides `preference`. Prints one line saying what runs and returns it.
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const { log = console.log, isInstalled = defaultIsInstalled, env = process.env, ownKernelsDir } = options;
  const wasmThreads = env.RESEARCH_WASM_THREADS !== '0';
  const ownKernels = parseOwnKernels(env.RESEARCH_OWN_KERNELS);
  const resolved = resolveBackendPreference(preference, env);
  tf.enableProdMode();
  registerBatchNormGradient();
  registerSoftmaxGradient();

  let info: BackendInfo;
  switch (resolved.preference) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      if (!isInstalled(NATIVE_PACKAGES[resolved.preference]))
        throw missingNativeError(resolved.preference, resolved.source);
      info = await initNative(resolved.preference);
      break;
    case 'wasm':
      info = await initWasm(wasmThreads, ownKernels, log, ownKernelsDir);
      break;
    case 'cpu':
      info = await initCpu();
      break;
    case 'auto': {
      // Like Lightning's accelerator="auto": an installed native package that fails to load (a libtensorflow built
      // for another CUDA, a missing shared library) is reported and skipped, not fatal.
      let started: BackendInfo | undefined;
      for (const native of (['tfjs-node-gpu', 'tfjs-node'] as const).filter((name) =>
        isInstalled(NATIVE_PACKAGES[name]),
      )) {
        try {
          started = await initNative(native);
          break;
        } catch (error) {
          log(
            `[backend] warning: ${NATIVE_PACKAGES[native]} is installed but failed to start (${(error as Error).message}); trying the next backend`,
          );
        }
      }
      info =
        started ??
        (await initWasm(wasmThreads, ownKernels, log, ownKernelsDir).catch((error: Error) => {
          log(`[backend] wasm failed to start (${error.message}); falling back to cpu`);
          return initCpu();
        }));
      break;
    }
  }
  active = info;
  log(`[backend] ${describeBackend(info)} (${resolved.source})`);
  return info;
}

/**
 * One human-readable line, e.g. "wasm (SIMD on, 2 threads) - tfjs 4.22.0, wasm 4.22.0; own C kernels: MaxPoolGrad, Sum".
 */
export function describeBackend(info: BackendInfo): string {
  const detail =
    info.name === 'wasm'
      ? ` (SIMD ${info.simd ? 'on' : 'off'}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`
      : '';
  const ownThreads = `${info.ownKernelThreads} thread${info.ownKernelThreads === 1 ? '' : 's'}`;
  const own =
    info.name === 'wasm'
      ? `; own C kernels${info.ownKernels?.length ? ` (${ownThreads}): ${info.ownKernels.join(', ')}` : ': none'}`
      : '';
  return `${info.name}${detail} - ${info.version}${own}`;
}

/** The BackendInfo of the last initBackend call, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
