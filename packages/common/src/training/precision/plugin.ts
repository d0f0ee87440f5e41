// Precision plugins (Lightning's PrecisionPlugin): how the forward and backward passes compute, and what happens to
// the gradients before the optimizer step. The gradient strategies call the first three hooks; the Trainer calls
// `beforeOptimizerStep`.
import type * as tf from '@tensorflow/tfjs';
import type { ModuleParameters, TrainModule } from '../module';

export interface PrecisionPlugin {
  readonly name: string;
  /** At fit start: throws a clear error for a module this precision cannot compute (optional). */
  setup?(module: TrainModule): void;
  /** Runs `fn` (the forward and backward pass) with the module computing in this precision. */
  forwardContext<T>(module: TrainModule, params: ModuleParameters, fn: () => T): T;
  /** Inside the gradient tape: the loss that is differentiated (multiplied by the loss scale, if any). */
  scaleLoss(loss: tf.Scalar): tf.Scalar;
  /** The gradients as this precision's backward pass produces them; takes ownership of `grads`. */
  afterBackward(grads: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  /**
   * Before the optimizer update (before clipping): unscales and checks the gradients; takes ownership of `grads` and
   * returns the ones to apply. With `skip` the caller must not step the optimizer (it still disposes `grads`).
   */
  beforeOptimizerStep(grads: Record<string, tf.Tensor>): { grads: Record<string, tf.Tensor>; skip: boolean };
  /** A line for the start of a run: what this precision does on `backend`. */
  describe(backend: string): string;
}

/** Plain float32 training: every hook is the identity. */
export const float32Precision: PrecisionPlugin = {
  name: 'float32',
  forwardContext: (_module, _params, fn) => fn(),
  scaleLoss: (loss) => loss,
  afterBackward: (grads) => grads,
  beforeOptimizerStep: (grads) => ({ grads, skip: false }),
  describe: () => 'precision: float32',
};
