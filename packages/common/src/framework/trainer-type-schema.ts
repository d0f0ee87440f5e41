// The config block that picks a trainer type (trainingPluginsFromConfig's input): `trainer_type`, `dp.*`, `amp_dtype`,
// `accelerate.*`. The framework's `training:` section and fit-reference's carry the same keys, docs and defaults.
import { intIn, numberIn, type ConfigSchema } from '../config';
import { TRAINER_TYPES } from '../training';

export interface TrainerTypeSection {
  trainer_type: (typeof TRAINER_TYPES)[number];
  dp: {
    noise_multiplier: number | null;
    target_epsilon: number | null;
    target_delta: number;
    max_grad_norm: number;
    sampling: 'poisson' | 'uniform';
  };
  amp_dtype: 'float16' | 'bfloat16';
  accelerate: { num_workers: number };
}

const positive = numberIn(0, Infinity, { minExclusive: true });
const nonNegative = numberIn(0, Infinity);

export const trainerTypeSchema: ConfigSchema<TrainerTypeSection> = {
  trainer_type: {
    doc: 'standard; dp (DP-SGD, training.dp); accelerate (data-parallel workers); mixed_precision (amp_dtype)',
    format: [...TRAINER_TYPES],
    default: 'standard',
  },
  dp: {
    noise_multiplier: {
      doc: 'dp: Gaussian noise std / max_grad_norm (give this or target_epsilon)',
      format: nonNegative,
      default: null,
      nullable: true,
    },
    target_epsilon: {
      doc: 'dp: find the noise multiplier that spends this epsilon over the planned epochs',
      format: positive,
      default: null,
      nullable: true,
    },
    target_delta: {
      doc: 'dp: the delta of (epsilon, delta)',
      format: numberIn(0, 1, { minExclusive: true, maxExclusive: true }),
      default: 1e-5,
    },
    max_grad_norm: { doc: "dp: each example's gradient is clipped to this L2 norm", format: positive, default: 1 },
    sampling: {
      doc: 'dp: poisson (q = batch_size / N, what the accountant assumes) or uniform',
      format: ['poisson', 'uniform'],
      default: 'poisson',
    },
  },
  amp_dtype: {
    doc: 'mixed_precision: float16 (loss scaling) or bfloat16',
    format: ['float16', 'bfloat16'],
    default: 'float16',
  },
  accelerate: {
    num_workers: {
      doc: 'accelerate: data-parallel workers (threads of 1 wasm thread), this process included; 0: one per core',
      format: intIn(0),
      default: 0,
    },
  },
};
