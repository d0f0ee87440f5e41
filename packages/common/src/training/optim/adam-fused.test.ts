// Adam and AdamW on the wasm backend with the project's fused C update (one kernel per parameter tensor): the same
// torch.optim trajectories as optim.test.ts checks on cpu, and the same values as the tfjs-ops update.
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive, initBackend } from '../../backend';
import { setNativeKernelsEnabled } from '../../backend/native/native-kernels';
import golden from '../golden/optim.json';
import { Adam, AdamW, stepLR } from '.';

const adamCases = golden.cases.filter((c) => c.kind === 'adam' || c.kind === 'adamw');

beforeAll(async () => {
  // One wasm thread: the update under test is the C kernel's, and the pool's start can stall under load.
  await initBackend('wasm', { log: () => undefined, env: { RESEARCH_WASM_THREADS: '0' } });
  expect(fusedKernelsActive()).toBe(true);
});

afterEach(() => setNativeKernelsEnabled(true));

/** Runs a golden case's steps; returns the parameters after each step and the kernel names of the last step. */
async function trajectory(c: (typeof adamCases)[number]): Promise<{ points: number[][]; kernels: Set<string> }> {
  const X = tf.tensor2d(golden.X);
  const Y = tf.tensor2d(golden.Y);
  const W = tf.variable(tf.tensor2d(golden.W0));
  const b = tf.variable(tf.tensor1d(golden.b0));
  const params = [
    { name: 'W', variable: W },
    { name: 'b', variable: b },
  ];
  const o = c.options as { betas?: number[]; eps?: number; weight_decay?: number };
  const opts = { lr: c.lr, betas: o.betas as [number, number] | undefined, eps: o.eps, weightDecay: o.weight_decay };
  const opt = c.kind === 'adamw' ? new AdamW(opts) : new Adam(opts);
  const points: number[][] = [];
  let kernels = new Set<string>();
  const schedule =
    'schedule' in c && c.schedule ? stepLR({ stepSize: c.schedule.step_size, gamma: c.schedule.gamma }) : null;
  for (let t = 0; t < c.trajectory.length; t++) {
    if (schedule) opt.lr = schedule.lrAt(t, opt.initialLr);
    const { value, grads } = tf.variableGrads(() => X.matMul(W).add(b).sub(Y).square().mean() as tf.Scalar, [W, b]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => opt.step(params, { W: grads[W.name], b: grads[b.name] }));
    kernels = new Set(info.kernels.map((k) => k.name));
    // After the first step the slots exist: a step replaces tensors, it does not add any.
    if (t > 0) expect(tf.memory().numTensors).toBe(before);
    tf.dispose([value, grads]);
    points.push([...W.dataSync(), ...b.dataSync()]);
  }
  opt.dispose();
  tf.dispose([X, Y, W, b]);
  return { points, kernels };
}

describe('fused Adam/AdamW update (wasm, C kernels)', () => {
  it.each(adamCases.map((c) => [c.name, c] as const))(
    '%s follows torch.optim and the tfjs-ops update',
    async (_, c) => {
      const fused = await trajectory(c);
      expect(fused.kernels.has('ResearchAdam')).toBe(true);
      c.trajectory.forEach((point, t) => {
        const expected = [...point.W.flat(), ...point.b];
        fused.points[t].forEach((v, i) =>
          expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(expected[i]))),
        );
      });
      setNativeKernelsEnabled(false);
      const ops = await trajectory(c);
      expect(ops.kernels.has('ResearchAdam')).toBe(false);
      ops.points.forEach((p, t) =>
        p.forEach((v, i) => expect(Math.abs(v - fused.points[t][i])).toBeLessThanOrEqual(1e-6)),
      );
    },
  );
});
