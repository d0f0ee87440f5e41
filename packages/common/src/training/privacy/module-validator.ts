// Opacus' ModuleValidator: before a DP-SGD fit, refuse modules whose gradients are not per-example (layers that mix
// the examples of a batch) or that have weights without a per-example gradient rule, naming each layer and its fix.
import * as tf from '@tensorflow/tfjs';
import type { ModuleParameters, TrainModule } from '../module';
import { leafLayers } from '../strategy/layer-hooks';
import { checkPerExampleSupport } from './per-example-grads';

/** Layer classes whose output for one example depends on the other examples of the batch, with the fix. */
const MIXING_LAYERS: Record<string, string> = {
  BatchNormalization:
    "replace it with GroupNorm (models/layers: new GroupNorm({groups}), e.g. 8 or 32 groups; Opacus' ModuleValidator.fix " +
    'does the same; the registry has simple_cnn_gn for simple_cnn) or remove it',
};

/** Every problem that stops DP-SGD from training `module`, one line each (empty: it can). */
export function dpModuleProblems(module: TrainModule, params: ModuleParameters): string[] {
  const problems: string[] = [];
  for (const [key, model] of Object.entries(module.models ?? {})) {
    for (const layer of leafLayers(model as tf.LayersModel)) {
      const fix = MIXING_LAYERS[layer.getClassName()];
      if (fix) {
        problems.push(
          `model '${key}', layer '${layer.name}' (${layer.getClassName()}) normalises over the batch, so each example's ` +
            `gradient depends on the other examples and per-example privacy breaks. Fix: ${fix}`,
        );
      }
    }
  }
  if (problems.length === 0) {
    try {
      checkPerExampleSupport(module, params);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Throws one error listing every problem (Opacus' ModuleValidator.validate(strict=True)). */
export function assertDpCompatible(module: TrainModule, params: ModuleParameters): void {
  const problems = dpModuleProblems(module, params);
  if (problems.length > 0) throw new Error(`DP-SGD cannot train this module:\n - ${problems.join('\n - ')}`);
}
