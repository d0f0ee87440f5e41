// The golden values made by packages/common/scripts/golden/search_optuna.py with Python Optuna 3.1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const goldenPath = path.resolve(__dirname, '../../../scripts/golden/search_optuna.json');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const golden: any = JSON.parse(fs.readFileSync(goldenPath, 'utf8'));

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `search-${prefix}-`));
}

export function expectClose(actual: number, expected: number, rel = 1e-9): void {
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  const tol = rel * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > ${tol})`);
  }
}
