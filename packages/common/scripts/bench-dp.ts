// Throughput of DP-SGD's per-example gradients against standard gradients for the reference CNN (BatchNorm-free),
// one training step = gradients + SGD update, same batch, same backend. Prints one JSON line per mode and the ratio.
//
//   npx tsx packages/common/scripts/bench-dp.ts                 # batch 64, 20 timed steps per mode, auto backend
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

interface Mode {
  name: string;
  strategy: GradientStrategy;
  precision?: PrecisionPlugin;
}

/**
 * Images per second of each mode: 3 warm-up steps each, then rounds of 5 steps per mode, alternating, so that a
 * change in the machine's load affects every mode alike.
 */
function measure(module: TrainModule, modes: Mode[], batch: Record<string, tf.Tensor>, steps: number): number[] {
  const params = moduleParameters(module);
  const optimizer = new SGD({ lr: 0.01 });
  let globalStep = 0;
  const run = ({ strategy, precision }: Mode) => {
    const ctx = { epoch: 0, batchIndex: globalStep, globalStep: globalStep++, stage: 'train' as const };
    const out = strategy.computeGradients(module, params, batch, ctx, precision);
    const { grads, skip } = precision ? precision.beforeOptimizerStep(out.grads) : { grads: out.grads, skip: false };
    if (!skip) optimizer.step(params.trainable, grads);
    tf.dispose(grads);
    params.trainable[0].variable.dataSync(); // wait for the update
  };
  for (const mode of modes) for (let s = 0; s < 3; s++) run(mode);
  const seconds = modes.map(() => 0);
  const perRound = 5;
  for (let done = 0; done < steps; done += perRound) {
    modes.forEach((mode, m) => {
      const start = performance.now();
      for (let s = 0; s < Math.min(perRound, steps - done); s++) run(mode);
      seconds[m] += (performance.now() - start) / 1000;
    });
  }
  optimizer.dispose();
  return seconds.map((t) => (steps * (batch.x.shape[0] as number)) / t);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const info = await initBackend(opts.backend, { log: (line) => process.stderr.write(`[bench-dp] ${line}\n`) });
  tf.enableProdMode();
  const module = classificationModule(createModel('reference-cnn'));
  const batch = {
    x: tf.randomUniform([opts.batch, 28, 28, 1], 0, 1, 'float32', 1),
    y: tf.randomUniform([opts.batch], 0, 10, 'int32', 2),
  };
  const dp = new DpSgdStrategy({
    noiseMultiplier: 1,
    maxGradNorm: 1,
    sampleRate: opts.batch / 60000,
    expectedBatchSize: opts.batch,
    delta: 1e-5,
  });
  const modes: Mode[] = [
    { name: 'standard', strategy: standardStrategy },
    { name: 'dp', strategy: dp },
  ];
  if (opts.amp)
    modes.push({
      name: 'float16-mixed (emulated)',
      strategy: standardStrategy,
      precision: new MixedPrecision({ dtype: 'float16' }),
    });
  const rates = measure(module, modes, batch, opts.steps);
  modes.forEach((mode, m) => {
    const line = {
      model: 'reference-cnn',
      mode: mode.name,
      batch: opts.batch,
      train_img_s: +rates[m].toFixed(1),
      backend: info.tfBackend,
    };
    console.log(JSON.stringify(line));
  });
  modes.slice(1).forEach((mode, m) => console.log(`${mode.name} / standard = ${(rates[m + 1] / rates[0]).toFixed(3)}`));
}

main().catch((err: unknown) => {
  console.error(`bench-dp: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
