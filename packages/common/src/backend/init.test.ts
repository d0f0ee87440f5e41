import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ENV_VAR, describeBackend, initBackend, resolveBackendPreference } from './init';
import { NATIVE_WASM_KERNELS } from './kernels';
import * as nativeKernels from './native/native-kernels';

const quiet = { log: () => undefined };
const nothingNative = { ...quiet, isInstalled: () => false };

describe('initBackend', () => {
  it('auto picks wasm with SIMD when no native package is installed, and prints one line', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', { isInstalled: () => false, env: {}, log: (l) => lines.push(l) });
    expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm', simd: true });
    // The threaded binary runs in Node with one XNNPACK thread per core (the C++ side caps the pool at 8).
    const cores = os.cpus().length;
    expect(info.threads).toBe(cores >= 2 ? Math.min(cores, 8) : 1);
    expect(info.version).toContain(tf.version.tfjs);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([`[backend] ${describeBackend(info)} (preference 'auto')`]);
    expect(lines[0]).toMatch(/wasm \(SIMD on, \d threads?\)/);
  });

  it('the environment variable overrides the preference', async () => {
    const info = await initBackend('wasm', { ...nothingNative, env: { [BACKEND_ENV_VAR]: 'cpu' } });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a missing tfjs-node fails with an error naming the package and how to install it', async () => {
    await expect(initBackend('tfjs-node', { ...nothingNative, env: {} })).rejects.toThrow(
      /@tensorflow\/tfjs-node is not installed\. Install it with `npm install --save-exact @tensorflow\/tfjs-node@4\.22\.0/,
    );
    await expect(
      initBackend('auto', { ...nothingNative, env: { [BACKEND_ENV_VAR]: 'tfjs-node-gpu' } }),
    ).rejects.toThrow(/RESEARCH_BACKEND=tfjs-node-gpu.*@tensorflow\/tfjs-node-gpu is not installed.*CUDA/);
  });

  it('auto tries the native packages first, GPU before CPU', async () => {
    const asked: string[] = [];
    const isInstalled = (pkg: string) => {
      asked.push(pkg);
      return false;
    };
    await initBackend('auto', { ...quiet, isInstalled, env: {} });
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('auto skips an installed native package that fails to load, with a warning naming the error', async () => {
    const lines: string[] = [];
    // Claimed installed, but require() fails: the state of a tfjs-node whose libtensorflow is missing or broken.
    const info = await initBackend('auto', {
      log: (line) => lines.push(line),
      isInstalled: (pkg) => pkg === '@tensorflow/tfjs-node',
      env: {},
    });
    expect(info.name).toBe('wasm');
    expect(lines[0]).toMatch(
      /^\[backend\] warning: @tensorflow\/tfjs-node is installed but failed to start \(Cannot find module '@tensorflow\/tfjs-node'/,
    );
    // Asked for by name, the same failure is an error: the user wanted that backend.
    await expect(initBackend('tfjs-node', { ...quiet, isInstalled: () => true, env: {} })).rejects.toThrow(/tfjs-node/);
  });

  it('rejects an unknown backend name', () => {
    expect(() => resolveBackendPreference('auto', { [BACKEND_ENV_VAR]: 'webgpu' })).toThrow(
      'Unknown backend RESEARCH_BACKEND=webgpu: expected one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu.',
    );
    expect(resolveBackendPreference('cpu', {})).toEqual({ preference: 'cpu', source: "preference 'cpu'" });
  });

  describe("the project's C kernels on wasm", () => {
    afterEach(async () => {
      await initBackend('wasm', { ...nothingNative, env: {} }); // leave them on for the other tests
    });

    it('load by default on one thread, and the line names them; RESEARCH_OWN_KERNELS=2 gives them a pool', async () => {
      const lines: string[] = [];
      const info = await initBackend('wasm', { isInstalled: () => false, env: {}, log: (l) => lines.push(l) });
      expect(info.ownKernels).toEqual([...NATIVE_WASM_KERNELS]);
      expect(info.ownKernelThreads).toBe(1);
      expect(nativeKernels.nativeKernelsFor(tf.backend())).toBeDefined();
      expect(lines[0]).toContain('own C kernels (1 thread): MaxPoolGrad, Sum');
      // The pool needs tfjs's threaded binary (its shared memory), which runs on two or more cores.
      const pooled = await initBackend('wasm', { ...nothingNative, env: { RESEARCH_OWN_KERNELS: '2' } });
      expect(pooled.ownKernelThreads).toBe(pooled.threads >= 2 ? 2 : 1);
    });

    it('RESEARCH_OWN_KERNELS=0 turns them off (the fallbacks run); a non-number is refused', async () => {
      const info = await initBackend('wasm', { ...nothingNative, env: { RESEARCH_OWN_KERNELS: '0' } });
      expect(info.ownKernels).toEqual([]);
      expect(describeBackend(info)).toMatch(/own C kernels: none$/);
      expect(nativeKernels.nativeKernelsFor(tf.backend())).toBeUndefined();
      await expect(initBackend('wasm', { ...nothingNative, env: { RESEARCH_OWN_KERNELS: 'many' } })).rejects.toThrow(
        'RESEARCH_OWN_KERNELS=many: expected 0 (off) or a thread count',
      );
    });

    it('a module that fails to load leaves the fallbacks running, with a warning', async () => {
      const ownKernelsDir = path.join(os.tmpdir(), 'no-such-kernels-dir');
      const lines: string[] = [];
      const info = await initBackend('wasm', {
        isInstalled: () => false,
        env: {},
        log: (l) => lines.push(l),
        ownKernelsDir,
      });
      expect(info.ownKernels).toEqual([]);
      expect(nativeKernels.nativeKernelsFor(tf.backend())).toBeUndefined();
      expect(lines[0]).toMatch(
        /^\[backend\] WARNING: the project's wasm kernels did not load \(ENOENT.*no-such-kernels-dir.*\); using the fallbacks$/,
      );
      expect(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()).toEqual(new Float32Array([3, 3, 3, 3]));
    });
  });
});
