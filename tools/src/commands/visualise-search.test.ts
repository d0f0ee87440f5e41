import { createStudy, floatDistribution, sqliteUrl } from '@research/common';
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
});
