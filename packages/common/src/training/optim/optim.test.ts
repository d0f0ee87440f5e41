import * as tf from '@tensorflow/tfjs';
import golden from '../golden/optim.json';
import schedGolden from '../golden/schedules.json';
import {
  Adam,
  AdamW,
  SGD,
  TorchOptimizer,
  createOptimizer,
  createSchedule,
  stepLR,
  multiStepLR,
  exponentialLR,
  cosineAnnealingLR,
  warmupCosineLR,
} from '.';
import type { LRSchedule } from '.';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Case = (typeof golden.cases)[number];

function makeOptimizer(c: Case): TorchOptimizer {
  const o = c.options as {
    momentum?: number;
    dampening?: number;
    weight_decay?: number;
    nesterov?: boolean;
    betas?: number[];
    eps?: number;
  };
  if (c.kind === 'sgd') {
    return new SGD({
      lr: c.lr,
      momentum: o.momentum,
      dampening: o.dampening,
      weightDecay: o.weight_decay,
      nesterov: o.nesterov,
    });
  }
  const adamOpts = {
    lr: c.lr,
    betas: o.betas as [number, number] | undefined,
    eps: o.eps,
    weightDecay: o.weight_decay,
  };
  return c.kind === 'adamw' ? new AdamW(adamOpts) : new Adam(adamOpts);
}

function expectClose(actual: number[], expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]))));
}

describe('optimizers follow torch.optim trajectories', () => {
  const X = tf.tensor2d(golden.X);
  const Y = tf.tensor2d(golden.Y);

  for (const c of golden.cases) {
    it(c.name, () => {
      const W = tf.variable(tf.tensor2d(golden.W0), true, `W_${c.name}`);
      const b = tf.variable(tf.tensor1d(golden.b0), true, `b_${c.name}`);
      const params = [
        { name: 'W', variable: W },
        { name: 'b', variable: b },
      ];
      const opt = makeOptimizer(c);
      const schedule =
        'schedule' in c && c.schedule ? stepLR({ stepSize: c.schedule.step_size, gamma: c.schedule.gamma }) : null;
      c.trajectory.forEach((point, t) => {
        if (schedule) opt.lr = schedule.lrAt(t, opt.initialLr);
        const { value, grads } = tf.variableGrads(() => X.matMul(W).add(b).sub(Y).square().mean() as tf.Scalar, [W, b]);
        expect(value.dataSync()[0]).toBeCloseTo(point.loss, 5);
        opt.step(params, { W: grads[W.name], b: grads[b.name] });
        tf.dispose([value, grads]);
        expectClose(Array.from(W.dataSync()), point.W.flat(), 2e-5);
        expectClose(Array.from(b.dataSync()), point.b, 2e-5);
      });
      const state = opt.stateDict();
      for (const [pname, slots] of Object.entries(c.final_state)) {
        for (const [slot, expected] of Object.entries(slots as Record<string, number | number[] | number[][]>)) {
          if (slot === 'step') expect((state.json.steps as Record<string, number>)[pname]).toBe(expected);
          else
            expectClose(Array.from(state.tensors[`${pname}/${slot}`].dataSync()), [expected].flat(2) as number[], 2e-5);
        }
      }
      tf.dispose(Object.values(state.tensors));
      opt.dispose();
      tf.dispose([W, b]);
    });
  }

  it('restores its state: a reloaded optimizer continues the same trajectory', () => {
    const run = (reloadAt: number | null): number[] => {
      const W = tf.variable(tf.tensor2d(golden.W0));
      const params = [{ name: 'W', variable: W }];
      let opt = new Adam({ lr: 0.05, weightDecay: 0.01 });
      for (let t = 0; t < 6; t++) {
        if (t === reloadAt) {
          const state = opt.stateDict();
          opt.dispose();
          opt = new Adam({ lr: 0.05, weightDecay: 0.01 });
          opt.loadStateDict(state);
          tf.dispose(Object.values(state.tensors));
        }
        const { grads } = tf.variableGrads(() => X.matMul(W).sub(Y).square().mean() as tf.Scalar, [W]);
        opt.step(params, { W: grads[W.name] });
        tf.dispose(grads);
      }
      const out = Array.from(W.dataSync());
      opt.dispose();
      W.dispose();
      return out;
    };
    expect(run(3)).toEqual(run(null));
  });

  it('keeps the tensor count flat across steps', () => {
    const W = tf.variable(tf.tensor2d(golden.W0));
    const opt = new SGD({ lr: 0.1, momentum: 0.9 });
    const step = () => {
      const { value, grads } = tf.variableGrads(() => X.matMul(W).sub(Y).square().mean() as tf.Scalar, [W]);
      opt.step([{ name: 'W', variable: W }], { W: grads[W.name] });
      tf.dispose([value, grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    W.dispose();
  });

  it('rejects bad hyper-parameters and mismatched state', () => {
    expect(() => new SGD({ lr: -1 })).toThrow(/lr must be a finite number >= 0, got -1/);
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow(/nesterov requires momentum > 0/);
    expect(() => new Adam({ betas: [1.2, 0.9] })).toThrow(/betas\[0\] must be in \[0, 1\), got 1.2/);
    expect(() => new SGD({ lr: 0.1 }).loadStateDict({ kind: 'adam', lr: 0.1, json: {}, tensors: {} })).toThrow(
      /cannot load 'adam' state into a 'sgd' optimizer/,
    );
  });
});

describe('LR schedules equal torch.optim.lr_scheduler', () => {
  const make: Record<string, (o: never) => LRSchedule> = {
    step: stepLR,
    multistep: multiStepLR,
    exponential: exponentialLR,
    cosine: cosineAnnealingLR,
    warmupCosine: warmupCosineLR,
  };
  for (const c of schedGolden.cases) {
    it(c.kind, () => {
      const schedule = make[c.kind](c.options as never);
      const lrs = c.lrs.map((_, t) => schedule.lrAt(t, schedGolden.baseLr));
      expectClose(lrs, c.lrs, 1e-9);
    });
  }

  it('names the bad option', () => {
    expect(() => stepLR({ stepSize: 0 })).toThrow(/stepLR: stepSize must be a positive integer, got 0/);
    expect(() => warmupCosineLR({ warmupSteps: 5, totalSteps: 5 })).toThrow(
      /totalSteps must be an integer > warmupSteps/,
    );
  });
});

describe('createOptimizer / createSchedule', () => {
  it('builds what the spec names', () => {
    const sgd = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }) as SGD;
    expect([sgd.kind, sgd.lr, sgd.momentum, sgd.nesterov]).toEqual(['sgd', 0.1, 0.9, true]);
    const adamw = createOptimizer({ name: 'adamw', lr: 0.002 }) as AdamW;
    expect([adamw.kind, adamw.lr, adamw.weightDecay]).toEqual(['adamw', 0.002, 0.01]);
    expect(createSchedule({ name: 'multistep', milestones: [2], gamma: 0.5 }).lrAt(2, 1)).toBe(0.5);
    expect(createSchedule({ name: 'warmupCosine', warmupSteps: 2, totalSteps: 10 }).interval).toBe('step');
  });

  it('names an unknown kind', () => {
    expect(() => createOptimizer({ name: 'rmsprop' } as never)).toThrow(
      /name must be 'sgd', 'adam' or 'adamw', got 'rmsprop'/,
    );
    expect(() => createSchedule({ name: 'poly' } as never)).toThrow(/got 'poly'/);
  });
});
