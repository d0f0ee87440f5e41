import * as tf from '@tensorflow/tfjs';
import { TorchOptimizer, checkNonNegative } from './optimizer';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  /** L2 penalty added to the gradient (coupled, as torch.optim.SGD). */
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD: d = g + wd·p; buf = m·buf + (1 - dampening)·d (buf = d on the first step); p -= lr·(nesterov ? d + m·buf : buf). */
export class SGD extends TorchOptimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(opts: SGDOptions) {
    super(opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    checkNonNegative('SGD', 'momentum', this.momentum);
    checkNonNegative('SGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: nesterov requires momentum > 0 and dampening = 0');
    }
  }

  protected update(_name: string, param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>>) {
    let d = this.weightDecay !== 0 ? grad.add(param.mul(this.weightDecay)) : grad;
    const next: Record<string, tf.Tensor> = {};
    if (this.momentum !== 0) {
      const prev = slots.momentum_buffer;
      const buf = prev ? prev.mul(this.momentum).add(d.mul(1 - this.dampening)) : d.clone();
      next.momentum_buffer = buf;
      d = this.nesterov ? d.add(buf.mul(this.momentum)) : buf;
    }
    return { param: param.sub(d.mul(this.lr)), slots: next };
  }
}
