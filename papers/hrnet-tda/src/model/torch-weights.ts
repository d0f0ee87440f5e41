import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch state_dict <-> tfjs weights. The layers are named after the official module paths, so a tfjs layer `X`
 * holds the tensors `X.weight` (+ `X.bias`) of a Conv2d/Linear, or `X.weight/bias/running_mean/running_var` of a
 * BatchNorm2d. Convolution kernels are OIHW in PyTorch and HWIO in tfjs; Linear weights are [out, in] there.
 */

/** A tensor in PyTorch's layout: row-major data of `shape`. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

interface WeightSlot {
  key: string;
  /** Shape in PyTorch's layout. */
  torchShape: number[];
  /** Permutation taking the PyTorch layout to the tfjs one. */
  perm: number[] | null;
}

function slotsOf(layer: tf.layers.Layer): WeightSlot[] {
  const shapes = layer.getWeights().map((w) => w.shape);
  const name = layer.name;
  switch (layer.getClassName()) {
    case 'Conv2D': {
      const [kh, kw, cin, cout] = shapes[0];
      const slots: WeightSlot[] = [{ key: `${name}.weight`, torchShape: [cout, cin, kh, kw], perm: [2, 3, 1, 0] }];
      if (shapes.length > 1) slots.push({ key: `${name}.bias`, torchShape: [cout], perm: null });
      return slots;
    }
    case 'Dense': {
      const [cin, cout] = shapes[0];
      return [
        { key: `${name}.weight`, torchShape: [cout, cin], perm: [1, 0] },
        { key: `${name}.bias`, torchShape: [cout], perm: null },
      ];
    }
    case 'BatchNormalization':
      // tfjs order: gamma, beta, moving_mean, moving_variance.
      return ['weight', 'bias', 'running_mean', 'running_var'].map((p) => ({
        key: `${name}.${p}`,
        torchShape: shapes[0],
        perm: null,
      }));
    default:
      if (shapes.length > 0)
        throw new Error(`torch-weights: no PyTorch mapping for layer ${name} (${layer.getClassName()})`);
      return [];
  }
}

/** The state_dict entries (name and PyTorch shape) the model's weights correspond to, in layer order. */
export function torchStateDictShapes(model: tf.LayersModel): Map<string, number[]> {
  return new Map(model.layers.flatMap(slotsOf).map((s) => [s.key, s.torchShape]));
}

/**
 * Sets every weight of `model` from a PyTorch state_dict (`num_batches_tracked` entries are ignored). Checks the
 * whole state_dict first, so on a missing entry, a shape mismatch or an entry no layer takes it throws (naming the key)
 * without changing any weight.
 */
export function loadTorchStateDict(model: tf.LayersModel, state: ReadonlyMap<string, TorchTensor>): void {
  const layers = model.layers.map((layer) => ({ layer, slots: slotsOf(layer) })).filter((l) => l.slots.length > 0);
  const expected = new Set<string>();
  for (const { slots } of layers) {
    for (const slot of slots) {
      const t = state.get(slot.key);
      if (t === undefined) throw new Error(`loadTorchStateDict: the state_dict has no ${slot.key}`);
      if (t.shape.join() !== slot.torchShape.join()) {
        throw new Error(`loadTorchStateDict: ${slot.key} has shape [${t.shape}], expected [${slot.torchShape}]`);
      }
      expected.add(slot.key);
    }
  }
  const unused = [...state.keys()].filter((k) => !expected.has(k) && !k.endsWith('.num_batches_tracked'));
  if (unused.length > 0)
    throw new Error(
      `loadTorchStateDict: no layer takes ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', ...' : ''}`,
    );
  for (const { layer, slots } of layers) {
    const values = tf.tidy(() =>
      slots.map((slot) => {
        const t = state.get(slot.key)!;
        const tensor = tf.tensor(t.data, t.shape, 'float32');
        return slot.perm ? tf.transpose(tensor, slot.perm) : tensor;
      }),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}
