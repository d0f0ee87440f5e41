import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { collectEnvChecks, formatEnvReport, register, type EnvCheck } from './test-env';

describe('test-env', () => {
  const saved = process.env.RESEARCH_ASSETS_DIR;
  let tmp: string;
  let out: string[];
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'test-env-'));
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
    if (saved === undefined) delete process.env.RESEARCH_ASSETS_DIR;
    else process.env.RESEARCH_ASSETS_DIR = saved;
  });
  const run = async () => {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['test-env'], { from: 'user' });
  };

  it('passes on this machine and reports every part on one screen', async () => {
    process.env.RESEARCH_ASSETS_DIR = tmp;
    fs.mkdirSync(path.join(tmp, 'datasets', 'fashion-mnist'), { recursive: true });
    await run();
    const names = out.slice(0, -1).map((l) => l.slice(8).trim().split(/\s{2,}/)[0]);
    expect(names).toEqual([
      'node', 'tfjs', 'wasm backend', 'tfjs-node', 'tfjs-node-gpu', 'GPU', 'selected backend', 'onnxruntime-node',
      'assets folder', 'datasets', 'models', 'outputs', 'free disk', 'Hugging Face Hub',
    ]);
    expect(out.find((l) => l.includes(' datasets '))).toMatch(/datasets\s+fashion-mnist$/);
    expect(out.find((l) => l.includes('node '))).toContain(process.version);
    expect(out[out.length - 1]).toBe('all required checks passed');
    expect(out.length).toBeLessThanOrEqual(24);
  });

  it('fails when the assets folder is missing', async () => {
    process.env.RESEARCH_ASSETS_DIR = path.join(tmp, 'absent');
    await expect(run()).rejects.toThrow('test-env: missing assets folder');
    expect(out[out.length - 1]).toBe('1 required check(s) failed: assets folder');
  });

  it('marks failed required checks in the report', () => {
    const checks: EnvCheck[] = [
      { name: 'node', status: 'ok', detail: 'v20', required: true },
      { name: 'onnxruntime-node', status: 'missing', detail: 'cannot load', required: true },
      { name: 'GPU', status: 'warn', detail: 'none', required: false },
    ];
    expect(formatEnvReport(checks)).toEqual([
      'ok      node              v20',
      'missing onnxruntime-node  cannot load  [required]',
      'warn    GPU               none',
      '1 required check(s) failed: onnxruntime-node',
    ]);
  });

  it('collects the checks without throwing', async () => {
    process.env.RESEARCH_ASSETS_DIR = tmp;
    const checks = await collectEnvChecks();
    expect(checks.find((c) => c.name === 'selected backend')?.status).toBe('ok');
  });
});
