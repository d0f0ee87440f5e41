import Database from 'better-sqlite3';
import * as path from 'node:path';
import { categoricalDistribution, floatDistribution, intDistribution } from './distributions';
import { HyperbandPruner, MedianPruner, NopPruner, PercentilePruner, SuccessiveHalvingPruner } from './pruners';
import { RdbStorage } from './rdb-storage';
import { TrialPruned } from './sampler';
import { GridSampler } from './samplers/grid';
import { RandomSampler } from './samplers/random';
import { TPESampler } from './samplers/tpe';
import { createStudy, loadStudy, RetryFailedTrialCallback, Study } from './study';
import { expectClose, golden, tempDir } from './test-support/golden';
import type { Trial } from './trial';
import type { FrozenTrial } from './types';

const dir = tempDir('study');
let counter = 0;
const url = (): string => `sqlite:///${path.join(dir, `s${counter++}.db`)}`;

/** The objective of search_optuna.py: six parameters of every kind. */
async function objective(trial: Trial): Promise<number> {
  const x = await trial.suggestFloat('x', -5, 5);
  const lr = await trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
  const n = await trial.suggestInt('n', 1, 9, { step: 2 });
  const q = await trial.suggestFloat('q', 0, 1, { step: 0.1 });
  const k = await trial.suggestInt('k', 1, 128, { log: true });
  const c = await trial.suggestCategorical('c', ['relu', 'gelu', 'tanh']);
  return (
    (x - 1.3) ** 2 +
    (Math.log10(lr) + 3) ** 2 +
    Math.abs(n - 5) +
    q +
    Math.abs(Math.log2(k) - 4) +
    ({ relu: 0.5, gelu: 0.0, tanh: 1.0 } as Record<string, number>)[c]
  );
}

function expectSameTrials(study: Study, expected: Array<{ params: Record<string, unknown>; value: number }>) {
  return study.getTrials().then((trials) => {
    expect(trials.length).toBe(expected.length);
    trials.forEach((t, i) => {
      for (const [k, v] of Object.entries(expected[i].params)) {
        if (typeof v === 'number') expectClose(t.params[k] as number, v, 1e-9);
        else expect(t.params[k]).toBe(v);
      }
      expectClose((t.values as number[])[0], expected[i].value, 1e-9);
    });
  });
}

describe('samplers reproduce Optuna 3.1 for a seed', () => {
  it('RandomSampler(seed=5): the same 8 trials', async () => {
    const study = await createStudy({ studyName: 'r', storage: url(), sampler: new RandomSampler({ seed: 5 }) });
    await study.optimize(objective, { nTrials: 8 });
    await expectSameTrials(study, golden.random_sequence.trials);
    await study.close();
  });

  it('TPESampler(seed=3): the same 30 trials (10 random start-up, then 20 TPE steps)', async () => {
    const study = await createStudy({
      studyName: 't',
      storage: url(),
      sampler: new TPESampler({ seed: 3 }),
    });
    await study.optimize(objective, { nTrials: 30 });
    await expectSameTrials(study, golden.tpe_sequence.trials);
    await study.close();
  });

  it('TPESampler maximizing with 4 start-up trials', async () => {
    const study = await createStudy({
      studyName: 't',
      storage: url(),
      direction: 'maximize',
      sampler: new TPESampler({ seed: 11, nStartupTrials: 4 }),
    });
    await study.optimize(async (t) => -(await objective(t)), { nTrials: 15 });
    await expectSameTrials(study, golden.tpe_sequence_maximize.trials);
    await study.close();
  });

  it('TPE beats random on a 4-D sphere: mean best of 4 seeds after 40 trials', async () => {
    const sphere = async (t: Trial): Promise<number> => {
      let sum = 0;
      for (let i = 0; i < 4; i++) {
        const x = await t.suggestFloat(`x${i}`, -5, 5);
        sum += x * x;
      }
      return sum;
    };
    const best = async (sampler: TPESampler | RandomSampler): Promise<number> => {
      const study = await createStudy({ studyName: 's', storage: url(), sampler });
      await study.optimize(sphere, { nTrials: 40 });
      const value = await study.bestValue();
      await study.close();
      return value;
    };
    let tpe = 0;
    let rnd = 0;
    for (let seed = 0; seed < 4; seed++) {
      tpe += await best(new TPESampler({ seed }));
      rnd += await best(new RandomSampler({ seed }));
    }
    expect(tpe / 4).toBeLessThan(0.6 * (rnd / 4));
  });
});

describe('pruners decide as Optuna 3.1', () => {
  const g = golden.pruners;
  async function decisions(pruner: MedianPruner | PercentilePruner, direction: 'minimize' | 'maximize') {
    const study = await createStudy({ studyName: 'p', storage: url(), direction, pruner });
    for (const curve of g.completed as number[][]) {
      await study.addTrial({
        state: 'COMPLETE',
        values: [curve[curve.length - 1]],
        intermediateValues: new Map(curve.map((v, i) => [i, v])),
      });
    }
    const out: boolean[] = [];
    for (const curve of g.probes as Array<Array<number | null>>) {
      const trial = await study.ask();
      for (const [step, v] of curve.entries()) await trial.report(v === null ? NaN : v, step);
      out.push(await trial.shouldPrune());
      await study.tell(trial, undefined, 'FAIL');
    }
    await study.close();
    return out;
  }
  it('median', async () => expect(await decisions(new MedianPruner(), 'minimize')).toEqual(g.median));
  it('median, 10 start-up trials', async () =>
    expect(await decisions(new MedianPruner({ nStartupTrials: 10 }), 'minimize')).toEqual(g.median_startup_10));
  it('median, 2 warm-up steps', async () =>
    expect(await decisions(new MedianPruner({ nWarmupSteps: 2 }), 'minimize')).toEqual(g.median_warmup_2));
  it('median, interval 2 after 1 warm-up step', async () =>
    expect(await decisions(new MedianPruner({ intervalSteps: 2, nWarmupSteps: 1 }), 'minimize')).toEqual(
      g.median_interval_2,
    ));
  it('25th percentile', async () =>
    expect(await decisions(new PercentilePruner(25), 'minimize')).toEqual(g.percentile_25));
  it('25th percentile, maximizing', async () =>
    expect(await decisions(new PercentilePruner(25), 'maximize')).toEqual(g.percentile_25_maximize));
});

describe('Hyperband', () => {
  it('brackets, budgets and the bracket of each trial number', () => {
    const hb = new HyperbandPruner({ minResource: 1, maxResource: 81, reductionFactor: 3 });
    hb.initialise([]);
    expect(hb.pruners.length).toBe(golden.hyperband.n_brackets);
    expect(hb.budgets).toEqual(golden.hyperband.budgets);
    const ids = (golden.hyperband.bracket_of_number as number[]).map((_, n) => hb.bracketId('hyperband-study', n));
    expect(ids).toEqual(golden.hyperband.bracket_of_number);
  });

  async function curves(studyName: string, pruner: HyperbandPruner | SuccessiveHalvingPruner, nTrials: number) {
    const study = await createStudy({ studyName, storage: url(), sampler: new RandomSampler({ seed: 0 }), pruner });
    await study.optimize(
      async (trial) => {
        const x = await trial.suggestFloat('x', 0, 1);
        let value = 0;
        for (let step = 0; step < 27; step++) {
          value = (x - 0.3) ** 2 + 1 / (step + 1);
          await trial.report(value, step);
          if (await trial.shouldPrune()) throw new TrialPruned();
        }
        return value;
      },
      { nTrials },
    );
    const trials = await study.getTrials();
    await study.close();
    return trials;
  }

  const summary = (trials: FrozenTrial[]) =>
    trials.map((t) => ({
      x: t.params.x,
      state: t.state,
      last_step: Math.max(...t.intermediateValues.keys()),
      rungs: Object.keys(t.systemAttrs)
        .filter((k) => k.startsWith('completed_rung'))
        .sort(),
    }));

  it('successive halving alone (defaults: auto min resource, factor 4): the same 30 trials as Optuna', async () => {
    expect(summary(await curves('sh-run', new SuccessiveHalvingPruner(), 30))).toEqual(golden.successive_halving_run);
  });

  it('a 40-trial run prunes the same trials at the same steps as Optuna', async () => {
    const trials = await curves(
      'hb-run',
      new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 }),
      40,
    );
    expect(summary(trials)).toEqual(golden.hyperband_run);
    // a pruned trial keeps its intermediate values and its last one as value
    const pruned = trials.find((t) => t.state === 'PRUNED');
    expect(pruned?.values?.[0]).toBe(
      pruned?.intermediateValues.get(Math.max(...(pruned?.intermediateValues.keys() ?? []))),
    );
  });
});

describe('study API', () => {
  it('create, load_if_exists, load, best trial, enqueue, compatibility checks', async () => {
    const storage = url();
    const s1 = await createStudy({ studyName: 'api', storage, direction: 'maximize', pruner: new NopPruner() });
    await expect(createStudy({ studyName: 'api', storage })).rejects.toThrow(/already exists/);
    const s2 = await createStudy({ studyName: 'api', storage, loadIfExists: true });
    expect(s2.direction).toBe('MAXIMIZE');
    await s1.enqueueTrial({ x: 0.25, c: 'b' }, { x: floatDistribution(0, 1), c: categoricalDistribution(['a', 'b']) });
    await s1.optimize(
      async (t) => {
        const x = await t.suggestFloat('x', 0, 1);
        const c = await t.suggestCategorical('c', ['a', 'b']);
        return x + (c === 'b' ? 1 : 0);
      },
      { nTrials: 3 },
    );
    const trials = await s2.getTrials();
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2]);
    expect(trials[0].params).toEqual({ x: 0.25, c: 'b' });
    const best = await s2.bestTrial();
    expect(best.values?.[0]).toBe(Math.max(...trials.map((t) => (t.values as number[])[0])));
    const trial = await s2.ask();
    await expect(trial.suggestInt('x', 0, 1)).rejects.toThrow(/different distribution kind.*"x"/);
    await expect(trial.suggestCategorical('c', ['a', 'z'])).rejects.toThrow(/dynamic value space/);
    const x = await trial.suggestFloat('x', 0, 1);
    expect(await trial.suggestFloat('x', 0, 0.5)).toBe(x); // a second suggestion returns the stored value
    await s2.tell(trial, NaN);
    expect((await s2.getTrials())[3].state).toBe('FAIL');
    await expect(loadStudy({ studyName: 'missing', storage })).rejects.toThrow(/no study named 'missing'/);
    await expect(loadStudy({ studyName: 'api', storage: 'mysql://x' })).rejects.toThrow(/storage URL "mysql:\/\/x"/);
    await s1.close();
    await s2.close();
    const s3 = await loadStudy({ studyName: 'api', storage });
    expect((await s3.getTrials()).length).toBe(4);
    await s3.close();
  });

  it('refuses a database at an Optuna schema revision it does not speak, naming it', async () => {
    const file = path.join(dir, 'old.db');
    const db = new Database(file);
    db.exec(
      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('v2.6.0.a')",
    );
    db.close();
    await expect(RdbStorage.open(`sqlite:///${file}`)).rejects.toThrow(
      /revision v2.6.0.a is not supported.*storage upgrade/,
    );
  });

  it('a failing objective fails the trial and rethrows; a pruned one is PRUNED', async () => {
    const study = await createStudy({ studyName: 'f', storage: url() });
    await expect(
      study.optimize(
        async () => {
          throw new Error('boom');
        },
        { nTrials: 2 },
      ),
    ).rejects.toThrow('boom');
    await study.optimize(
      async () => {
        throw new TrialPruned();
      },
      { nTrials: 1 },
    );
    expect((await study.getTrials()).map((t) => t.state)).toEqual(['FAIL', 'PRUNED']);
    await study.close();
  });

  it('GridSampler visits every point once, then stops the study', async () => {
    const study = await createStudy({
      studyName: 'g',
      storage: url(),
      sampler: new GridSampler({ b: [1, 2, 3], a: ['x', 'y'] }, { seed: 0 }),
    });
    await study.optimize(
      async (t) => {
        const a = await t.suggestCategorical('a', ['x', 'y']);
        const b = await t.suggestInt('b', 1, 3);
        return (a === 'x' ? 0 : 10) + b;
      },
      { nTrials: 20 },
    );
    const trials = await study.getTrials(['COMPLETE']);
    expect(trials.length).toBe(6);
    expect(new Set(trials.map((t) => `${t.params.a}${t.params.b}`)).size).toBe(6);
    expect(new Set(trials.map((t) => t.systemAttrs.grid_id))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    await study.close();
  });

  it('studyTrials: three workers interleaving on one study share one budget; queued trials still run', async () => {
    // One connection shared by the workers (processes sharing a database: the --workers test of tools search).
    const storage = await RdbStorage.open(url());
    const first = await createStudy({ studyName: 'budget', storage, sampler: new RandomSampler({ seed: 1 }) });
    const others = [2, 3].map((seed) =>
      loadStudy({ studyName: 'budget', storage, sampler: new RandomSampler({ seed }) }),
    );
    const workers = [first, ...(await Promise.all(others))];
    const objective = async (t: Trial) => {
      await new Promise((r) => setTimeout(r, 5)); // let the workers interleave
      return t.suggestFloat('x', 0, 1);
    };
    await Promise.all(workers.map((w) => w.optimize(objective, { nTrials: 100, studyTrials: 7 })));
    expect((await first.getTrials()).map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // the budget is used: a new optimize starts nothing, but a queued trial runs (as a retry would)
    await first.optimize(objective, { studyTrials: 7 });
    await first.enqueueTrial({ x: 0.5 }, { x: floatDistribution(0, 1) });
    await first.optimize(objective, { studyTrials: 7 });
    const trials = await first.getTrials();
    expect(trials.map((t) => [t.number, t.state])).toEqual([...Array(8).keys()].map((n) => [n, 'COMPLETE']));
    expect(trials[7].params).toEqual({ x: 0.5 });
    await storage.close();
  });

  it('heartbeats: a stale RUNNING trial becomes FAIL and is retried as WAITING with its parameters', async () => {
    const storage = url();
    const heartbeat = {
      heartbeatInterval: 0.2,
      gracePeriod: 1,
      failedTrialCallback: new RetryFailedTrialCallback(1).callback,
    };
    const dead = await createStudy({ studyName: 'hb', storage, heartbeat });
    const orphan = await dead.ask(); // records a heartbeat, then its worker "dies"
    await orphan.suggestInt('n', 0, 100);
    const n = orphan.params.n;
    await new Promise((r) => setTimeout(r, 2100));
    const alive = await loadStudy({ studyName: 'hb', storage, heartbeat });
    await alive.optimize(async (t) => t.suggestInt('n', 0, 100), { nTrials: 1 });
    const trials = await alive.getTrials();
    expect(trials.map((t) => t.state)).toEqual(['FAIL', 'COMPLETE']);
    expect(trials[1].params.n).toBe(n);
    expect(RetryFailedTrialCallback.retriedTrialNumber(trials[1])).toBe(0);
    expect(RetryFailedTrialCallback.retryHistory(trials[1])).toEqual([0]);
    await expect(dead.tell(orphan, 1)).rejects.toThrow(/already finished/);
    await dead.close();
    await alive.close();
  });

  it('int step and log suggestions stay on their grids', async () => {
    const study = await createStudy({
      studyName: 'i',
      storage: url(),
      sampler: new TPESampler({ seed: 2, nStartupTrials: 3 }),
    });
    await study.optimize(
      async (t) => {
        const a = await t.suggestInt('a', 2, 20, { step: 3 });
        const b = await t.suggestInt('b', 1, 1000, { log: true });
        const c = await t.suggestFloat('c', 0.5, 2.5, { step: 0.25 });
        expect((a - 2) % 3).toBe(0);
        expect(Number.isInteger(b) && b >= 1 && b <= 1000).toBe(true);
        expect(Math.abs((c - 0.5) / 0.25 - Math.round((c - 0.5) / 0.25))).toBeLessThan(1e-9);
        return a + Math.log(b) + c;
      },
      { nTrials: 12 },
    );
    expect(intDistribution(2, 20, { step: 3 }).high).toBe(20);
    await study.close();
  });
});
