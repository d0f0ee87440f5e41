import * as tf from '@tensorflow/tfjs';
import { fusedAdamUpdate, fusedKernelsActive } from '../../backend';
import { TorchOptimizer, checkNonNegative } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * torch.optim.Adam: g += wd·p (coupled); m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)  (eps added after the bias correction, as torch).
 */
export class Adam extends TorchOptimizer {
  readonly kind: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Per-parameter update counts (torch keeps `step` per parameter). */
  protected steps: Record<string, number> = {};

  constructor(opts: AdamOptions = {}, defaultWeightDecay = 0) {
    super(opts.lr ?? 1e-3);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? defaultWeightDecay;
    for (const [k, b] of [
      ['betas[0]', this.beta1],
      ['betas[1]', this.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`${this.constructor.name}: ${k} must be in [0, 1), got ${b}`);
    }
    checkNonNegative(this.constructor.name, 'eps', this.eps);
    checkNonNegative(this.constructor.name, 'weightDecay', this.weightDecay);
  }

  /** AdamW overrides this to decay the parameter itself instead of the gradient. */
  protected decoupled(): boolean {
    return false;
  }

  protected update(name: string, param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>>) {
    const t = (this.steps[name] ?? 0) + 1;
    this.steps[name] = t;
    const stepSize = this.lr / (1 - Math.pow(this.beta1, t));
    if (fusedKernelsActive() && param.dtype === 'float32' && grad.dtype === 'float32') {
      // One C kernel for the whole update (wasm with the project's kernels), the same float32 arithmetic as below.
      const decoupled = this.decoupled();
      const [p, m, v] = fusedAdamUpdate(param, grad, slots.exp_avg, slots.exp_avg_sq, {
        beta1: this.beta1,
        beta2: this.beta2,
        stepSize,
        bc2Sqrt: Math.sqrt(1 - Math.pow(this.beta2, t)),
        eps: this.eps,
        coupledWeightDecay: decoupled ? 0 : this.weightDecay,
        decay: decoupled ? 1 - this.lr * this.weightDecay : 1,
      });
      return { param: p, slots: { exp_avg: m, exp_avg_sq: v } };
    }
    let p = param;
    let g = grad;
    if (this.weightDecay !== 0) {
      if (this.decoupled()) p = p.mul(1 - this.lr * this.weightDecay);
      else g = g.add(p.mul(this.weightDecay));
    }
    const m = slots.exp_avg ? slots.exp_avg.mul(this.beta1).add(g.mul(1 - this.beta1)) : g.mul(1 - this.beta1);
    const g2 = g.square().mul(1 - this.beta2);
    const v = slots.exp_avg_sq ? slots.exp_avg_sq.mul(this.beta2).add(g2) : g2;
    const denom = v
      .sqrt()
      .div(Math.sqrt(1 - Math.pow(this.beta2, t)))
      .add(this.eps);
    return { param: p.sub(m.div(denom).mul(stepSize)), slots: { exp_avg: m, exp_avg_sq: v } };
  }

  protected override jsonState(): Record<string, unknown> {
    return { steps: { ...this.steps } };
  }

  protected override loadJsonState(json: Record<string, unknown>): void {
    const steps = json.steps;
    if (typeof steps !== 'object' || steps === null) throw new Error(`${this.kind}: state.json.steps is missing`);
    this.steps = { ...(steps as Record<string, number>) };
  }
}

/** torch.optim.AdamW: p *= 1 - lr·wd (decoupled), then the Adam update without the L2 term. Default wd 0.01 as torch. */
export class AdamW extends Adam {
  override readonly kind: string = 'adamw';

  constructor(opts: AdamOptions = {}) {
    super(opts, 0.01);
  }

  protected override decoupled(): boolean {
    return true;
  }
}
