// A resumed run's TensorBoard: the killed process logged past its last checkpoint, and the resumed one logs those
// steps again. The steps have two scales, so no single purge step (PyTorch's `purge_step`, a SessionLog START that
// TensorBoard applies to every tag) can cut both: each tag is cut at the checkpoint on its own scale.
import * as path from 'node:path';
import type { TrainerState } from '../training';
import { purgeEvents, type KeepEvent } from '../viz';

/**
 * What survives of a run's events when it resumes from a checkpoint: `train/*` (the TensorBoardLogger's batch
 * scalars, the first batch's samples) up to the checkpoint's optimizer step; `test/*` (written after the fit, and
 * again by the resumed run) nothing; every other tag (`epoch/*`, an app's per-epoch figures) up to its epoch.
 */
export function keepUntilCheckpoint(state: Pick<TrainerState, 'epoch' | 'globalStep'>): KeepEvent {
  return (tag, step) => {
    if (tag.startsWith('test/')) return false;
    return step <= (tag.startsWith('train/') ? state.globalStep : state.epoch);
  };
}

/** Rewrites `<run>/tensorboard` without the events past the checkpoint (see keepUntilCheckpoint). */
export function purgeEventsAfter(
  runDir: string,
  state: Pick<TrainerState, 'epoch' | 'globalStep'>,
): { file: string; dropped: number }[] {
  return purgeEvents(path.join(runDir, 'tensorboard'), keepUntilCheckpoint(state));
}
