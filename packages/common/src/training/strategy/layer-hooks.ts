// Replacing a layer instance's `call` for the duration of one step: how strategies and precision plugins see (and
// change) what each layer computes without touching the model's code (PyTorch's forward hooks' role).
import * as tf from '@tensorflow/tfjs';

export type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Every computing layer of a model, descending into nested models; input layers are left out. */
export function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((layer) =>
    layer instanceof tf.LayersModel ? leafLayers(layer) : layer.getClassName() === 'InputLayer' ? [] : [layer],
  );
}

/** Makes `layer.call` run `wrap(original)` until the returned function is called. */
export function patchLayerCall(layer: tf.layers.Layer, wrap: (original: LayerCall) => LayerCall): () => void {
  const target = layer as unknown as { call: LayerCall };
  const own = Object.getOwnPropertyDescriptor(target, 'call');
  const original = target.call.bind(layer) as LayerCall;
  target.call = wrap(original);
  return () => {
    if (own) Object.defineProperty(target, 'call', own);
    else delete (target as { call?: LayerCall }).call;
  };
}

/** Runs `fn` with every patch applied, and always removes them (in reverse order). */
export function withPatchedLayers<T>(patches: (() => () => void)[], fn: () => T): T {
  const restores: (() => void)[] = [];
  try {
    for (const patch of patches) restores.push(patch());
    return fn();
  } finally {
    for (const restore of restores.reverse()) restore();
  }
}
