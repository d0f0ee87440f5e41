// Runs tfjs-backend-wasm's threaded-SIMD binary in Node, so XNNPACK uses every core.
//
// tfjs reports WASM_HAS_MULTITHREAD_SUPPORT=false in Node (tensorflow/tfjs#3830) although the Emscripten glue of
// the threaded binary supports Node's worker_threads. What breaks is the hand-over of scripts to the workers: tfjs
// passes the worker script and the module factory as Blob URLs, which Node's Worker cannot load. This module
//   1. captures those two Blobs' text while the backend initialises and writes them to temporary files,
//   2. gives the glue a Worker class (worker_threads.Worker) that loads the worker file and, in the 'load' message,
//      replaces the factory Blob with the path of its file (the worker then importScripts()es it),
//   3. prefixes the factory file with the module-scope names the bundled factory refers to (the bundler's aliases
//      of fs/path/perf_hooks/os, its TypeScript helpers, __filename), which a worker's global scope lacks.
import * as fs from 'node:fs';
// The real module object (not an ES namespace copy), because os.cpus is patched below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import os = require('node:os');
import * as path from 'node:path';
import { Worker as NodeWorker, type TransferListItem } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

// Names the threaded factory of @tensorflow/tfjs-backend-wasm 4.22's node bundle uses from its module scope.
const FACTORY_PRELUDE = `
var commonjsGlobal = globalThis;
var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');
var __filename = %FILE%, __dirname = %DIR%;
function __values(o) { return o[Symbol.iterator](); }
function __read(o, n) { var a = Array.from(o); return n === undefined ? a : a.slice(0, n); }
function __spreadArray(to, from) { return to.concat(Array.from(from)); }
`;

interface ThreadsPatch {
  /** Puts Blob and URL.createObjectURL back (the Worker class stays for workers started later). */
  restore(): void;
}

let workerScriptPath: string | undefined;
let factoryScriptPath: string | undefined;
let workerClassInstalled = false;

/** The Worker the Emscripten glue instantiates for each pthread. */
class PthreadWorker extends NodeWorker {
  constructor() {
    if (!workerScriptPath)
      throw new Error('wasm threads: the worker script was not captured during backend initialisation');
    super(workerScriptPath);
    this.unref();
  }

  // The glue refs a worker while it runs a pthread; XNNPACK's pool threads run (wait) forever, so a ref would keep
  // the process alive after the program's work is done. They only ever serve the main thread: never ref them.
  override ref(): void {}

  override postMessage(message: unknown, transferList?: readonly TransferListItem[]): void {
    const msg = message as { cmd?: string; urlOrBlob?: unknown };
    if (msg && msg.cmd === 'load' && typeof msg.urlOrBlob !== 'string') {
      if (!factoryScriptPath)
        throw new Error('wasm threads: the module factory was not captured during backend initialisation');
      message = { ...msg, urlOrBlob: factoryScriptPath };
    }
    super.postMessage(message, transferList);
  }
}

function installWorkerClass(): void {
  if (workerClassInstalled) return;
  // The glue assigns globalThis.Worker = worker_threads.Worker when it starts; keep ours.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  workerClassInstalled = true;
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'research-wasm-threads-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Prepares the threaded wasm binary for the next tf.setBackend('wasm'). Returns undefined when threads are not
 * possible here (not Node, no SharedArrayBuffer, a single core).
 */
export function prepareWasmThreads(
  setThreadsCount: (n: number) => void,
  threads = os.cpus().length,
): ThreadsPatch | undefined {
  if (typeof process === 'undefined' || !process.versions?.node || typeof SharedArrayBuffer === 'undefined')
    return undefined;
  if (threads < 2) return undefined;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  // The C++ side caps the pool at emscripten_num_logical_cores() / 2 ("2 hyper-threads per core"), which the glue
  // reads from os.cpus().length when the module starts: on a 2-vCPU machine that is 1 thread. Report twice the
  // wanted count while the module starts.
  const originalCpus = os.cpus;
  const cpus = originalCpus();
  (os as { cpus: typeof os.cpus }).cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  installWorkerClass();

  const dir = tempDir();
  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  const originalCreateObjectURL = URL.createObjectURL;
  class CapturingBlob extends OriginalBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const parts = args[0] as unknown[] | undefined;
      if (!parts || !parts.every((p) => typeof p === 'string')) return;
      const text = (parts as string[]).join('');
      texts.set(this, text);
      // The module factory: tfjs builds it as "var WasmBackendModuleThreadedSimd = <factory source>".
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
        factoryScriptPath = path.join(dir, 'threaded-simd-factory.js');
        const prelude = FACTORY_PRELUDE.replace('%FILE%', JSON.stringify(factoryScriptPath)).replace(
          '%DIR%',
          JSON.stringify(dir),
        );
        fs.writeFileSync(factoryScriptPath, prelude + text);
      }
    }
  }
  globalThis.Blob = CapturingBlob as typeof Blob;
  // The worker script: tfjs turns it into a Blob URL, which we turn into a file.
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined) return originalCreateObjectURL(blob);
    workerScriptPath = path.join(dir, 'pthread-worker.js');
    fs.writeFileSync(workerScriptPath, text);
    return workerScriptPath;
  };
  return {
    restore() {
      (os as { cpus: typeof os.cpus }).cpus = originalCpus;
      globalThis.Blob = OriginalBlob;
      URL.createObjectURL = originalCreateObjectURL;
    },
  };
}
