import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeHub } from '@research/common/testing';
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
    const names = out.slice(0, -1).map(
      (l) =>
        l
          .slice(8)
          .trim()
          .split(/\s{2,}/)[0],
    );
    expect(names).toEqual([
      'node',
      'tfjs',
      'wasm backend',
      'tfjs-node',
      'tfjs-node-gpu',
      'GPU',
      'selected backend',
      'onnxruntime-node',
      'assets folder',
      'datasets',
      'models',
      'outputs',
      'free disk',
      'Hugging Face Hub',
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

  it('reports what the started backend and the Hub really do', async () => {
    process.env.RESEARCH_ASSETS_DIR = tmp;
    const hub = await startFakeHub([]);
    const savedEndpoint = process.env.HF_ENDPOINT;
    try {
      process.env.HF_ENDPOINT = hub.url;
      const checks = await collectEnvChecks();
      const find = (name: string) => checks.find((c) => c.name === name)!;
      expect(find('selected backend').status).toBe('ok');
      expect(find('tfjs').detail).toContain('[1, 2] + [3, 4] = [4, 6]');
      // The wasm module runs both cores here unless RESEARCH_WASM_THREADS=0; the report says what it started.
      const selected = /(\d+) threads?/.exec(find('selected backend').detail)?.[1];
      if (find('selected backend').detail.startsWith('wasm'))
        expect(find('wasm backend').detail).toContain(selected === '1' ? '1 thread' : `${selected} threads`);
      expect(find('Hugging Face Hub')).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining(`${hub.url} answered HTTP`),
      });
      process.env.HF_ENDPOINT = 'http://127.0.0.1:9'; // discard port: nothing listens
      expect((await collectEnvChecks()).find((c) => c.name === 'Hugging Face Hub')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('not reachable'),
      });
    } finally {
      if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = savedEndpoint;
      await hub.close();
    }
  });
});
