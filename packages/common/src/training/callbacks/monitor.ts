import type { EpochRecord } from '../checkpoint';

export type MonitorMode = 'min' | 'max';

/** Reads a monitored metric from an epoch record; a missing key is an error listing the available ones. */
export function monitoredValue(owner: string, record: EpochRecord, monitor: string): number {
  const v = record[monitor];
  if (v === undefined) {
    throw new Error(
      `${owner}: monitor '${monitor}' is not in the epoch metrics (available: ${Object.keys(record).join(', ')})`,
    );
  }
  return v;
}

/** Whether `value` improves on `best` by more than `minDelta` in the given mode (NaN never improves). */
export function improves(value: number, best: number | null, mode: MonitorMode, minDelta = 0): boolean {
  if (Number.isNaN(value)) return false;
  if (best === null) return true;
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

export function checkMode(owner: string, mode: string): MonitorMode {
  if (mode !== 'min' && mode !== 'max') throw new Error(`${owner}: mode must be 'min' or 'max', got '${mode}'`);
  return mode;
}
