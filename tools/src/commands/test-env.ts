// `tools test-env`: what this machine offers the project, on one screen; a non-zero exit when something required is
// missing (Node version, tfjs and a working backend, onnxruntime-node, a writable assets folder).
import {
  assetsDir,
  datasetsDir,
  describeBackend,
  formatBytes,
  initBackend,
  modelsDir,
  outputsDir,
  resolveHubAccess,
  type BackendInfo,
} from '@research/common';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface EnvCheck {
  name: string;
  /** ok; warn: works but worth knowing; missing: absent or broken (an error when required). */
  status: 'ok' | 'warn' | 'missing';
  detail: string;
  required: boolean;
}

const MIN_NODE = [20, 19] as const;
const LOW_DISK_BYTES = 5 * 1024 ** 3;

function installedVersion(pkg: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function nodeCheck(): EnvCheck {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    name: 'node',
    status: ok ? 'ok' : 'missing',
    detail: `${process.version} (>= ${MIN_NODE.join('.')} required)`,
    required: true,
  };
}

/** tfjs computes: 1 + 3 and 2 + 4 on the selected backend. */
function tfjsCheck(): EnvCheck {
  const sum = tf.tidy(() => Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()));
  const ok = sum[0] === 4 && sum[1] === 6;
  return {
    name: 'tfjs',
    status: ok ? 'ok' : 'missing',
    detail: `@tensorflow/tfjs ${tf.version.tfjs}: [1, 2] + [3, 4] = [${sum.join(', ')}] on ${tf.getBackend()}`,
    required: true,
  };
}

/** SIMD and threads as the started wasm module reports them (not tfjs' pre-start flags, which say no threads in Node). */
async function wasmCheck(selected: BackendInfo | undefined): Promise<EnvCheck> {
  const version = installedVersion('@tensorflow/tfjs-backend-wasm');
  if (!version)
    return {
      name: 'wasm backend',
      status: 'missing',
      detail: '@tensorflow/tfjs-backend-wasm is not installed',
      required: false,
    };
  if (selected?.name !== 'wasm') {
    return {
      name: 'wasm backend',
      status: 'ok',
      detail: `@tensorflow/tfjs-backend-wasm ${version} (not selected: ${selected?.name ?? 'no backend started'})`,
      required: false,
    };
  }
  const threads =
    selected.threads > 1 ? `${selected.threads} threads` : '1 thread (RESEARCH_WASM_THREADS=0 or a single core)';
  return {
    name: 'wasm backend',
    status: 'ok',
    detail: `@tensorflow/tfjs-backend-wasm ${version}: SIMD ${selected.simd ? 'yes' : 'no'}, ${threads}`,
    required: false,
  };
}

function optionalPackage(name: string, pkg: string, why: string): EnvCheck {
  const version = installedVersion(pkg);
  return version
    ? { name, status: 'ok', detail: `${pkg} ${version}`, required: false }
    : { name, status: 'warn', detail: `not installed (optional: ${why})`, required: false };
}

function gpuCheck(): EnvCheck {
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
  if (smi.status === 0 && smi.stdout.trim()) {
    return { name: 'GPU', status: 'ok', detail: smi.stdout.trim().split('\n').join('; '), required: false };
  }
  return {
    name: 'GPU',
    status: 'warn',
    detail: 'none found (nvidia-smi absent or lists no device): training runs on the CPU',
    required: false,
  };
}

async function selectedBackendCheck(): Promise<{ check: EnvCheck; info?: BackendInfo }> {
  try {
    const info = await initBackend('auto', { log: () => {} });
    return { check: { name: 'selected backend', status: 'ok', detail: describeBackend(info), required: true }, info };
  } catch (err) {
    return { check: { name: 'selected backend', status: 'missing', detail: (err as Error).message, required: true } };
  }
}

function onnxCheck(): EnvCheck {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node') as {
      env: { versions: Record<string, string> };
      listSupportedBackends(): { name: string; bundled: boolean }[];
    };
    // "bundled" providers ship in the package; the others (cuda, tensorrt) need libraries installed separately.
    const backends = ort
      .listSupportedBackends()
      .map((b) => (b.bundled ? b.name : `${b.name} if installed`))
      .join(', ');
    return {
      name: 'onnxruntime-node',
      status: 'ok',
      detail: `${ort.env.versions.node} (execution providers: ${backends})`,
      required: true,
    };
  } catch (err) {
    return {
      name: 'onnxruntime-node',
      status: 'missing',
      detail: (err as Error).message.split('\n')[0],
      required: true,
    };
  }
}

function entries(dir: string): string {
  if (!fs.existsSync(dir)) return 'absent';
  const names = fs.readdirSync(dir).filter((n) => !n.startsWith('.'));
  return names.length ? names.join(', ') : 'empty';
}

function assetChecks(): EnvCheck[] {
  const root = assetsDir();
  let writable: boolean;
  try {
    fs.accessSync(root, fs.constants.W_OK);
    writable = fs.statSync(root).isDirectory();
  } catch {
    writable = false;
  }
  const checks: EnvCheck[] = [
    {
      name: 'assets folder',
      status: writable ? 'ok' : 'missing',
      detail: `${root}${writable ? '' : ' is not a writable folder (create it, or set RESEARCH_ASSETS_DIR)'}`,
      required: true,
    },
    { name: '  datasets', status: 'ok', detail: entries(datasetsDir()), required: false },
    { name: '  models', status: 'ok', detail: entries(modelsDir()), required: false },
    { name: '  outputs', status: 'ok', detail: entries(outputsDir()), required: false },
  ];
  if (writable) {
    const s = fs.statfsSync(root);
    const free = s.bavail * s.bsize;
    checks.push({
      name: 'free disk',
      status: free < LOW_DISK_BYTES ? 'warn' : 'ok',
      detail: `${formatBytes(free)} free of ${formatBytes(s.blocks * s.bsize)} under ${root}`,
      required: false,
    });
  }
  return checks;
}

/** Whether the Hub (or the mirror HF_ENDPOINT names) answers, within a few seconds; downloads need it, nothing else does. */
async function hubCheck(timeoutMs = 5000): Promise<EnvCheck> {
  const { hubUrl } = resolveHubAccess({});
  const token = process.env.HF_TOKEN ? 'HF_TOKEN set' : 'HF_TOKEN unset (public repos only)';
  try {
    const response = await fetch(`${hubUrl}/api/models?limit=1`, { signal: AbortSignal.timeout(timeoutMs) });
    const ok = response.status < 500;
    return {
      name: 'Hugging Face Hub',
      status: ok ? 'ok' : 'warn',
      detail: `${hubUrl} answered HTTP ${response.status}; ${token}`,
      required: false,
    };
  } catch (err) {
    const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return {
      name: 'Hugging Face Hub',
      status: 'warn',
      detail: `${hubUrl} not reachable (${why}): downloads will fail, local data works; ${token}`,
      required: false,
    };
  }
}

/** Runs every check; the backend checks start tfjs backends, so this takes a second or two. */
export async function collectEnvChecks(): Promise<EnvCheck[]> {
  const selected = await selectedBackendCheck();
  return [
    nodeCheck(),
    tfjsCheck(),
    await wasmCheck(selected.info),
    optionalPackage('tfjs-node', '@tensorflow/tfjs-node', 'native CPU kernels'),
    optionalPackage('tfjs-node-gpu', '@tensorflow/tfjs-node-gpu', 'CUDA training'),
    gpuCheck(),
    selected.check,
    onnxCheck(),
    ...assetChecks(),
    await hubCheck(),
  ];
}

/** The report: one line per check, then the verdict. */
export function formatEnvReport(checks: EnvCheck[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) =>
      `${c.status.padEnd(7)} ${c.name.padEnd(width)}  ${c.detail}${c.status === 'missing' && c.required ? '  [required]' : ''}`,
  );
  const failed = checks.filter((c) => c.required && c.status === 'missing');
  lines.push(
    failed.length
      ? `${failed.length} required check(s) failed: ${failed.map((c) => c.name).join(', ')}`
      : 'all required checks passed',
  );
  return lines;
}

export function register(program: Command): void {
  program
    .command('test-env')
    .description(
      'check Node, tfjs and its backends (wasm SIMD/threads, tfjs-node, GPU), onnxruntime-node, asset folders and free disk',
    )
    .action(async () => {
      const checks = await collectEnvChecks();
      for (const line of formatEnvReport(checks)) console.log(line);
      const failed = checks.filter((c) => c.required && c.status === 'missing');
      if (failed.length) throw new Error(`test-env: missing ${failed.map((c) => c.name).join(', ')}`);
    });
}
