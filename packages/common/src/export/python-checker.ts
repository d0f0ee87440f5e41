// Runs python3-onnx's checker (scripts/golden/onnx_check.py, full_check) on exported files, when Debian's
// /usr/bin/python3 has the onnx module (CI installs python3-onnx).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const ONNX_CHECK_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'golden', 'onnx_check.py');

export interface OnnxCheckResult {
  file: string;
  ok: boolean;
  error: string | null;
  ir_version?: number;
  opset?: number;
  outputs?: [string, (number | string)[]][];
}

/** True when /usr/bin/python3 can import onnx. */
export function pythonOnnxAvailable(): boolean {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
}

/** The checker's verdict per file (python3-onnx 1.12 accepts IR <= 8 and opset <= 17). */
export function checkOnnxWithPython(files: string[]): OnnxCheckResult[] {
  const run = spawnSync(PYTHON, [ONNX_CHECK_SCRIPT, ...files], { encoding: 'utf8' });
  if (run.error) throw new Error(`onnx_check.py could not run: ${run.error.message}`);
  const lines = run.stdout.split('\n').filter((l) => l.trim().startsWith('{'));
  if (lines.length !== files.length)
    throw new Error(`onnx_check.py printed ${lines.length} results for ${files.length} files: ${run.stderr}`);
  return lines.map((l) => JSON.parse(l) as OnnxCheckResult);
}
