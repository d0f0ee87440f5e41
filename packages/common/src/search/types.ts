// Trial and study records as Optuna's storage holds them.
import type { Distribution, ParamValue } from './distributions';

export type TrialState = 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
export type StudyDirection = 'MINIMIZE' | 'MAXIMIZE';

export function isFinished(state: TrialState): boolean {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

export interface FrozenTrial {
  trialId: number;
  number: number;
  state: TrialState;
  /** One value per objective, or null until the trial completes. */
  values: number[] | null;
  datetimeStart: string | null;
  datetimeComplete: string | null;
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  /** step -> value */
  intermediateValues: Map<number, number>;
}

/** The largest reported step, or null (Optuna's FrozenTrial.last_step). */
export function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const step of trial.intermediateValues.keys()) if (last === null || step > last) last = step;
  return last;
}

/** What a new trial starts with (Optuna's template_trial for add_trial / enqueue / retry). */
export interface TrialTemplate {
  state: TrialState;
  values?: number[] | null;
  params?: Record<string, ParamValue>;
  distributions?: Record<string, Distribution>;
  userAttrs?: Record<string, unknown>;
  systemAttrs?: Record<string, unknown>;
  intermediateValues?: Map<number, number>;
  datetimeStart?: string | null;
  datetimeComplete?: string | null;
}

export class DuplicatedStudyError extends Error {}
export class UpdateFinishedTrialError extends Error {}
