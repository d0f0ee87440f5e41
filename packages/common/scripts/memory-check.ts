// Memory over a long training run of a reference model on the selected backend: tf.memory() (tensors, bytes), the
// wasm heap and the process's peak RSS, every --every steps. Fails (exit 1) when the tensors or bytes at the end
// differ from those after the warm-up, or the wasm heap grew in the second half of the run (it never shrinks, so a
// leak keeps growing it; its allocator may grow it once early while its free lists settle).
//
//   npx tsx packages/common/scripts/memory-check.ts --model cnn --steps 1000
//   RESEARCH_OWN_KERNELS=0 npx tsx packages/common/scripts/memory-check.ts --model vit-tiny --steps 200
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend';
import { createModel } from '../src/models';

const MODELS: Record<string, string> = { cnn: 'reference-cnn', 'vit-tiny': 'vit-tiny' };

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
}

function wasmHeapBytes(): number {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = option(args, '--model', 'cnn');
  const steps = Number(option(args, '--steps', '200'));
  const every = Number(option(args, '--every', String(Math.max(1, Math.floor(steps / 10)))));
  if (!(name in MODELS))
    throw new Error(`memory-check: unknown --model '${name}', expected ${Object.keys(MODELS).join(', ')}`);
  await initBackend('auto', { log: (line) => console.log(line) });
  const model = createModel(MODELS[name]);
  const x = tf.randomNormal([64, 28, 28, 1]);
  const labels = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        false,
        vars,
      );
    });
  const warmup = 3;
  for (let i = 0; i < warmup; i++) step();
  const first = { ...tf.memory(), heap: wasmHeapBytes() };
  let halfwayHeap = first.heap;
  const start = performance.now();
  for (let i = 1; i <= steps; i++) {
    step();
    if (i === Math.floor(steps / 2)) halfwayHeap = wasmHeapBytes();
    if (i % every === 0 || i === steps) {
      const m = tf.memory();
      const rssMB = process.resourceUsage().maxRSS / 1024;
      const line = {
        step: i,
        numTensors: m.numTensors,
        numBytes: m.numBytes,
        wasmHeapMB: wasmHeapBytes() / 2 ** 20,
        peakRssMB: Math.round(rssMB),
      };
      console.log(JSON.stringify({ ...line, msPerStep: Math.round((performance.now() - start) / i) }));
    }
  }
  const last = { ...tf.memory(), heap: wasmHeapBytes() };
  const problems: string[] = [];
  if (last.numTensors !== first.numTensors) problems.push(`numTensors ${first.numTensors} -> ${last.numTensors}`);
  if (last.numBytes !== first.numBytes) problems.push(`numBytes ${first.numBytes} -> ${last.numBytes}`);
  if (last.heap > halfwayHeap)
    problems.push(`wasm heap ${halfwayHeap} bytes at step ${Math.floor(steps / 2)} -> ${last.heap} at the end`);
  console.log(
    problems.length ? `memory-check FAILED: ${problems.join('; ')}` : `memory-check ok: flat over ${steps} steps`,
  );
  if (problems.length) process.exit(1);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
