import { createStudy, floatDistribution, sqliteUrl } from '@research/common';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePlotTypes, plotStudy } from './visualise-search';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'visualise-search-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A study where `tools search` puts one: <runs>/optuna_studies/<name>/study.db. */
async function study(runs: string, name: string, n = 12): Promise<string> {
  const file = path.join(runs, 'optuna_studies', name, 'study.db');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const s = await createStudy({ studyName: name, storage: sqliteUrl(file), direction: 'maximize' });
  const d = { a: floatDistribution(0, 1), b: floatDistribution(0, 1) };
  for (let i = 0; i < n; i++) {
    const [a, b] = [((i * 7) % 12) / 12, ((i * 5) % 12) / 12];
    await s.addTrial({ state: 'COMPLETE', values: [a - b], params: { a, b }, distributions: d });
  }
  await s.close();
  return file;
}

describe('tools visualise --mode search', () => {
  it('finds optuna_studies/<name>/study.db under the log dir, writes PNG + HTML per type asked', async () => {
    const runs = path.join(root, 'outputs', 'fmnist');
    const file = await study(runs, 'lr');
    const { outDir, written } = await plotStudy({
      studyName: 'lr',
      logdir: path.join(root, 'outputs'),
      plotType: ['optimization_history', 'slice'],
    });
    expect(outDir).toBe(path.join(path.dirname(file), 'plots'));
    expect(written.map((w) => w.type)).toEqual(['optimization_history', 'slice']);
    for (const w of written) {
      expect(fs.readFileSync(w.png!).subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      expect(fs.statSync(w.html!).size).toBeGreaterThan(500_000); // vega and vega-lite inline
    }
    // --storage and --output-dir
    const out = path.join(root, 'elsewhere');
    const again = await plotStudy({ studyName: 'lr', storage: sqliteUrl(file), plotType: ['contour'], outputDir: out });
    expect(again.written[0].png).toBe(path.join(out, 'contour.png'));
  });

  it('a wrong study name lists the studies present; a wrong plot type names the nearest', async () => {
    await study(path.join(root, 'outputs', 'a'), 'alpha', 3);
    await study(path.join(root, 'outputs', 'b'), 'beta', 3);
    await expect(plotStudy({ studyName: 'gamma', logdir: path.join(root, 'outputs') })).rejects.toThrow(
      new RegExp(
        "no study named 'gamma' .*studies found: alpha \\(a/optuna_studies/alpha/study.db\\), " +
          'beta \\(b/optuna_studies/beta/study.db\\)',
      ),
    );
    await expect(
      plotStudy({ studyName: 'x', storage: sqliteUrl(path.join(root, 'outputs/a/optuna_studies/alpha/study.db')) }),
    ).rejects.toThrow("no study named 'x' in this storage; it has: alpha");
    expect(() => parsePlotTypes(['contur'])).toThrow("--plot-type 'contur': expected one of optimization_history");
    expect(() => parsePlotTypes(['paralel_coordinates'])).toThrow("did you mean 'parallel_coordinate'?");
    expect(parsePlotTypes(undefined)).toHaveLength(6);
    expect(parsePlotTypes(['slice,contour'])).toEqual(['slice', 'contour']);
  });

  it("plots a study Python Optuna 3.1 wrote (its own schema revision): the history holds Optuna's values", async () => {
    const file = path.join(root, 'outputs', 'py', 'optuna_studies', 'py-study', 'study.db');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const script = [
      'import json, sys, optuna',
      'optuna.logging.set_verbosity(optuna.logging.ERROR)',
      `s = optuna.create_study(study_name='py-study', storage='sqlite:///${file}', direction='maximize',`,
      '    sampler=optuna.samplers.RandomSampler(seed=1))',
      "s.optimize(lambda t: -(t.suggest_float('a', -1, 1) ** 2) + t.suggest_int('n', 1, 4), n_trials=12)",
      'print(json.dumps([t.value for t in s.trials]))',
    ].join('\n');
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', script], { cwd: '/', stdio: 'pipe' }).toString();
    } catch (err) {
      throw new Error(`this test needs Python Optuna (apt-get install -y python3-optuna): ${(err as Error).message}`, {
        cause: err,
      });
    }
    const values: number[] = JSON.parse(out);
    const { written } = await plotStudy({
      studyName: 'py-study',
      logdir: path.join(root, 'outputs'),
      plotType: ['optimization_history', 'param_importances'],
    });
    const html = fs.readFileSync(written.find((w) => w.type === 'optimization_history')!.html!, 'utf8');
    const spec = JSON.parse(/<script id="spec" type="application\/json">(.*?)<\/script>/s.exec(html)![1]);
    const rows: Array<{ value: number; best: number }> = spec.data.values;
    expect(rows.map((r) => r.value)).toEqual(values);
    expect(rows[rows.length - 1].best).toBe(Math.max(...values));
    expect(written.filter((w) => w.skipped)).toEqual([]);
    // read, not changed: Optuna's file keeps its rollback journal (our workers would have switched it to WAL)
    // (the header's read/write format versions, bytes 18-19: 1 = rollback journal, 2 = WAL)
    expect([...fs.readFileSync(file).subarray(18, 20)]).toEqual([1, 1]);
  });
});
