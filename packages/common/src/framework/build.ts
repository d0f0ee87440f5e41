// From a framework config to the objects a run needs: transforms, datasets of a fold, optimizer and schedule specs.
import * as path from 'node:path';
import { IndexedImageDataset, splitIndexFiles, type ImageTransformSpec } from '../data';
import type { OptimizerSpec, ScheduleSpec } from '../training';
import type { FrameworkConfig } from './config-schema';

/**
 * torchvision-style pipelines. train: RandomResizedCrop(image_size, scale, ratio) (or Resize to the square when
 * disabled), horizontal flip, colour jitter, Normalize(mean, std). eval: Resize(eval_resize) + CenterCrop(image_size),
 * or Resize to the square when eval_resize is null, then Normalize.
 */
export function frameworkTransforms(c: FrameworkConfig, stage: 'train' | 'eval'): ImageTransformSpec[] {
  const size = c.data.image_size;
  const normalize: ImageTransformSpec = { type: 'normalize', mean: c.data.mean, std: c.data.std };
  const square: ImageTransformSpec = { type: 'resize', size: [size, size] };
  if (stage === 'eval') {
    const resize = c.augmentation.eval_resize;
    return resize === null
      ? [square, normalize]
      : [{ type: 'resize', size: resize }, { type: 'center_crop', size }, normalize];
  }
  const a = c.augmentation;
  const out: ImageTransformSpec[] = [
    a.random_resized_crop.enabled
      ? { type: 'random_resized_crop', size, scale: a.random_resized_crop.scale, ratio: a.random_resized_crop.ratio }
      : square,
  ];
  if (a.horizontal_flip > 0) out.push({ type: 'horizontal_flip', p: a.horizontal_flip });
  const jitter = a.color_jitter;
  if (jitter.brightness || jitter.contrast || jitter.saturation || jitter.hue)
    out.push({ type: 'color_jitter', ...jitter });
  out.push(normalize);
  return out;
}

export type FrameworkSplit = 'train' | 'val' | 'test';

/**
 * The IndexedImageDataset of one split of the config's fold: train shuffles (seeded by `seed`) with the training
 * transforms; val and test keep the file order with the evaluation transforms.
 */
export function frameworkDataset(
  c: FrameworkConfig,
  split: FrameworkSplit,
  opts: { fold?: number; batchSize?: number } = {},
): IndexedImageDataset {
  const dataDir = path.resolve(c.data.data_dir);
  const files = splitIndexFiles(dataDir, opts.fold ?? c.data.fold);
  return new IndexedImageDataset({
    dataDir,
    index: files[split],
    channels: c.data.channels,
    transforms: frameworkTransforms(c, split === 'train' ? 'train' : 'eval'),
    classes: c.data.class_names.length > 0 ? c.data.class_names : undefined,
    batchSize: opts.batchSize ?? c.data.batch_size,
    shuffle: split === 'train',
    seed: c.seed,
    concurrency: c.data.num_workers,
  });
}

export function frameworkOptimizerSpec(c: FrameworkConfig, lr = c.optimizer.lr): OptimizerSpec {
  const o = c.optimizer;
  if (o.name === 'sgd')
    return { name: 'sgd', lr, momentum: o.momentum, weightDecay: o.weight_decay, nesterov: o.nesterov };
  return { name: o.name, lr, betas: o.betas, weightDecay: o.weight_decay };
}

/** The per-epoch schedule of `scheduler` (`none` is a constant LR). */
export function frameworkScheduleSpec(c: FrameworkConfig): ScheduleSpec {
  const s = c.scheduler;
  switch (s.name) {
    case 'none':
      return { name: 'constant' };
    case 'step':
      return { name: 'step', stepSize: s.step_size, gamma: s.gamma, interval: 'epoch' };
    case 'multistep':
      return { name: 'multistep', milestones: s.milestones, gamma: s.gamma, interval: 'epoch' };
    case 'exponential':
      return { name: 'exponential', gamma: s.gamma, interval: 'epoch' };
    case 'cosine':
      return { name: 'cosine', tMax: s.t_max || c.training.num_epochs, etaMin: s.eta_min, interval: 'epoch' };
  }
}
