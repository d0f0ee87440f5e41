import * as tf from '@tensorflow/tfjs';

/** A trainable tensor with a stable name (the key of its gradient and of its optimizer state). */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/** Serializable optimizer state: JSON hyper-parameters/counters plus named state tensors (`<param>/<slot>`). */
export interface OptimizerState {
  kind: string;
  lr: number;
  json: Record<string, unknown>;
  tensors: Record<string, tf.Tensor>;
}

/**
 * Base class for optimizers with PyTorch's update rules. Unlike tf.train optimizers, the state is a map of named
 * tensors (created lazily on a parameter's first update, as in torch) so that checkpoints can save and restore it.
 * `lr` is public and mutable: LR schedules set it before each update.
 */
export abstract class TorchOptimizer {
  lr: number;
  /** The learning rate the optimizer was created with (a schedule's base LR). */
  readonly initialLr: number;
  abstract readonly kind: string;
  /** State slots per parameter name, e.g. `exp_avg`. */
  protected readonly slots = new Map<string, Record<string, tf.Tensor>>();

  constructor(lr: number) {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`optimizer: lr must be a finite number >= 0, got ${lr}`);
    this.lr = lr;
    this.initialLr = lr;
  }

  /** Applies one update to every parameter that has a gradient in `grads` (keyed by parameter name). */
  step(params: readonly NamedVariable[], grads: Readonly<Record<string, tf.Tensor>>): void {
    this.beforeStep();
    for (const { name, variable } of params) {
      const grad = grads[name];
      if (!grad) continue;
      if (!arraysEqual(grad.shape, variable.shape)) {
        throw new Error(
          `optimizer: gradient of '${name}' has shape [${grad.shape}], parameter has [${variable.shape}]`,
        );
      }
      const slots = this.slots.get(name) ?? {};
      const next = tf.tidy(() => {
        const out = this.update(name, variable, grad, slots);
        variable.assign(out.param);
        for (const t of Object.values(out.slots)) tf.keep(t);
        return out.slots;
      });
      for (const [slot, t] of Object.entries(slots)) if (next[slot] !== t) t.dispose();
      this.slots.set(name, next);
    }
  }

  /** Hook for per-step counters. */
  protected beforeStep(): void {}

  /** Computes the new parameter value and state slots of one parameter (inside a tidy). */
  protected abstract update(
    name: string,
    param: tf.Tensor,
    grad: tf.Tensor,
    slots: Readonly<Record<string, tf.Tensor>>,
  ): { param: tf.Tensor; slots: Record<string, tf.Tensor> };

  /** JSON part of the state besides lr (e.g. per-parameter step counts). */
  protected jsonState(): Record<string, unknown> {
    return {};
  }

  protected loadJsonState(_json: Record<string, unknown>): void {}

  /** The state; tensors are clones owned by the caller. */
  stateDict(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, slots] of this.slots) {
      for (const [slot, t] of Object.entries(slots)) tensors[`${name}/${slot}`] = t.clone();
    }
    return { kind: this.kind, lr: this.lr, json: this.jsonState(), tensors };
  }

  /** Restores a state produced by `stateDict` (tensors are cloned; the caller keeps ownership of its copies). */
  loadStateDict(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new Error(`optimizer: cannot load '${state.kind}' state into a '${this.kind}' optimizer`);
    }
    this.disposeSlots();
    for (const [key, t] of Object.entries(state.tensors)) {
      const cut = key.lastIndexOf('/');
      if (cut <= 0) throw new Error(`optimizer: state tensor key '${key}' is not '<param>/<slot>'`);
      const name = key.slice(0, cut);
      const slots = this.slots.get(name) ?? {};
      slots[key.slice(cut + 1)] = t.clone();
      this.slots.set(name, slots);
    }
    this.lr = state.lr;
    this.loadJsonState(state.json);
  }

  private disposeSlots(): void {
    for (const slots of this.slots.values()) for (const t of Object.values(slots)) t.dispose();
    this.slots.clear();
  }

  dispose(): void {
    this.disposeSlots();
  }
}

function arraysEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function checkNonNegative(owner: string, key: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new Error(`${owner}: ${key} must be a finite number >= 0, got ${value}`);
}
