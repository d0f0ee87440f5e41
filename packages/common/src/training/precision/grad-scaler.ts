// torch.cuda.amp.GradScaler: dynamic loss scaling for float16 training.
import * as tf from '@tensorflow/tfjs';

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

export interface GradScalerState {
  scale: number;
  growthTracker: number;
  skippedSteps: number;
}

/**
 * The loss is multiplied by `scale` before the backward pass; before the optimizer step the gradients are divided
 * by it and checked: any inf/NaN skips the step and multiplies the scale by `backoffFactor`; after `growthInterval`
 * consecutive clean steps the scale grows by `growthFactor` (torch's _amp_update_scale_).
 */
export class GradScaler {
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  scale: number;
  /** Consecutive clean steps since the last growth or backoff. */
  growthTracker = 0;
  /** Steps skipped because of inf/NaN gradients. */
  skippedSteps = 0;
  /** The scale after each update (one entry per optimizer step attempted). */
  readonly history: number[] = [];

  constructor(o: GradScalerOptions = {}) {
    this.scale = o.initScale ?? 65536;
    this.growthFactor = o.growthFactor ?? 2;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    if (!(this.scale > 0 && Number.isFinite(this.scale)))
      throw new Error(`GradScaler: initScale must be a finite number > 0, got ${this.scale}`);
    if (!(this.growthFactor > 1)) throw new Error(`GradScaler: growthFactor must be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1))
      throw new Error(`GradScaler: backoffFactor must be in (0, 1), got ${this.backoffFactor}`);
    if (!(Number.isInteger(this.growthInterval) && this.growthInterval > 0)) {
      throw new Error(`GradScaler: growthInterval must be a positive integer, got ${this.growthInterval}`);
    }
  }

  /** The scaled loss, for the backward pass. */
  scaleLoss(loss: tf.Scalar): tf.Scalar {
    return tf.mul(loss, this.scale);
  }

  /**
   * Divides the gradients by the scale (times torch's float32 reciprocal) and reports whether any value is inf/NaN.
   * The returned tensors are new; the caller disposes both sets.
   */
  unscale(grads: Readonly<Record<string, tf.Tensor>>): { grads: Record<string, tf.Tensor>; foundInf: boolean } {
    const inv = Math.fround(1 / this.scale);
    const out: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.tidy(() => g.mul(inv));
    const values = Object.values(grads);
    const foundInf =
      values.length > 0 &&
      tf.tidy(
        () =>
          tf
            .logicalNot(tf.stack(values.map((g) => g.isFinite().all())))
            .any()
            .dataSync()[0] === 1,
      );
    return { grads: out, foundInf };
  }

  /** After a step (taken or skipped): back off on inf/NaN, else count the clean step and grow every growthInterval. */
  update(foundInf: boolean): void {
    if (foundInf) {
      this.scale *= this.backoffFactor;
      this.growthTracker = 0;
      this.skippedSteps++;
    } else if (this.growthTracker + 1 === this.growthInterval) {
      const grown = this.scale * this.growthFactor;
      if (Number.isFinite(grown)) this.scale = grown;
      this.growthTracker = 0;
    } else this.growthTracker++;
    this.history.push(this.scale);
  }

  stateDict(): GradScalerState {
    return { scale: this.scale, growthTracker: this.growthTracker, skippedSteps: this.skippedSteps };
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<GradScalerState> | null;
    if (
      !s ||
      typeof s.scale !== 'number' ||
      typeof s.growthTracker !== 'number' ||
      typeof s.skippedSteps !== 'number'
    ) {
      throw new Error(`GradScaler: expected {scale, growthTracker, skippedSteps}, got ${JSON.stringify(state)}`);
    }
    this.scale = s.scale;
    this.growthTracker = s.growthTracker;
    this.skippedSteps = s.skippedSteps;
  }
}
