// Throughput of DP-SGD's per-example gradients against standard gradients for the reference CNN (BatchNorm-free),
// one training step = gradients + SGD update, same batch, same backend. Prints one JSON line per mode and the ratio.
//
//   npx tsx packages/common/scripts/bench-dp.ts                 # batch 64, 20 timed steps, auto backend (wasm)
//   options: --batch 64  --steps 20  --backend wasm|cpu  --amp   (--amp also times float16 mixed precision emulation)
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPreference } from '../src/backend';
import { createModel } from '../src/models';
import { SGD, classificationModule, moduleParameters, type TrainModule } from '../src/training';
import { MixedPrecision, type PrecisionPlugin } from '../src/training/precision';
import { DpSgdStrategy } from '../src/training/privacy';
import { type GradientStrategy, standardStrategy } from '../src/training/strategy';

function parseArgs(argv: string[]) {
  const opts = { batch: 64, steps: 20, backend: 'auto' as BackendPreference, amp: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? '';
    if (arg === '--batch') opts.batch = Number(value());
    else if (arg === '--steps') opts.steps = Number(value());
    else if (arg === '--backend') opts.backend = value() as BackendPreference;
    else if (arg === '--amp') opts.amp = true;
    else throw new Error(`bench-dp: unknown argument '${arg}' (expected --batch, --steps, --backend, --amp)`);
  }
  if (!(Number.isInteger(opts.batch) && opts.batch > 0 && Number.isInteger(opts.steps) && opts.steps > 0)) {
    throw new Error('bench-dp: --batch and --steps must be positive integers');
  }
  return opts;
}

/** Images per second of `steps` training steps after 3 warm-up steps. */
function measure(module: TrainModule, strategy: GradientStrategy, batch: Record<string, tf.Tensor>, steps: number, precision?: PrecisionPlugin): number {
  const params = moduleParameters(module);
  const optimizer = new SGD({ lr: 0.01 });
  const run = (step: number) => {
    const ctx = { epoch: 0, batchIndex: step, globalStep: step, stage: 'train' as const };
    const out = strategy.computeGradients(module, params, batch, ctx, precision);
    const { grads, skip } = precision ? precision.beforeOptimizerStep(out.grads) : { grads: out.grads, skip: false };
    if (!skip) optimizer.step(params.trainable, grads);
    tf.dispose(grads);
  };
  for (let s = 0; s < 3; s++) run(s);
  const start = performance.now();
  for (let s = 0; s < steps; s++) run(3 + s);
  params.trainable[0].variable.dataSync(); // wait for the last update
  optimizer.dispose();
  return (steps * (batch.x.shape[0] as number)) / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const info = await initBackend(opts.backend, { log: (line) => process.stderr.write(`[bench-dp] ${line}\n`) });
  tf.enableProdMode();
  const module = classificationModule(createModel('reference-cnn'));
  const batch = { x: tf.randomUniform([opts.batch, 28, 28, 1], 0, 1, 'float32', 1), y: tf.randomUniform([opts.batch], 0, 10, 'int32', 2) };
  const dp = new DpSgdStrategy({ noiseMultiplier: 1, maxGradNorm: 1, sampleRate: opts.batch / 60000, expectedBatchSize: opts.batch, delta: 1e-5 });
  const standard = measure(module, standardStrategy, batch, opts.steps);
  const privateRate = measure(module, dp, batch, opts.steps);
  const backend = info.tfBackend;
  console.log(JSON.stringify({ model: 'reference-cnn', mode: 'standard', batch: opts.batch, train_img_s: +standard.toFixed(1), backend }));
  console.log(JSON.stringify({ model: 'reference-cnn', mode: 'dp', batch: opts.batch, train_img_s: +privateRate.toFixed(1), backend }));
  console.log(`dp / standard = ${(privateRate / standard).toFixed(3)}`);
  if (opts.amp) {
    const amp = measure(module, standardStrategy, batch, opts.steps, new MixedPrecision({ dtype: 'float16' }));
    console.log(JSON.stringify({ model: 'reference-cnn', mode: 'float16-mixed (emulated)', batch: opts.batch, train_img_s: +amp.toFixed(1), backend }));
    console.log(`float16-mixed emulation / standard = ${(amp / standard).toFixed(3)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench-dp: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
