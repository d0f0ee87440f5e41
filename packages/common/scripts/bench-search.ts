// Sampler quality and speed of packages/common/src/search beside Python Optuna (Debian's 3.1), in the same run:
//
//   npx nx run common:bench-search            # or: npx tsx packages/common/scripts/bench-search.ts [--seeds 10]
//   options: --seeds n (default 10), --trials n (default 50), --history n (default 1000), --scale (also 4 worker
//            processes x 25 trials against 1 x 100 on SQLite, and on PostgreSQL when a server answers at
//            postgresql://postgres@127.0.0.1:55432/postgres, see tools/scripts/postgres.sh), --objective-ms n (the
//            scaling objective's duration, default 100)
//
// Quality: best value after 50 trials on the 5-D sphere (x in [-5, 5]^5, minimum 0) and on Branin (minimum
// 0.397887), mean and standard deviation over seeds 0..n-1: our TPE, our random sampler, Optuna's TPESampler.
// Speed: TPE time per trial (5 parameters) with 1000 completed trials in the study, ours (sampler only, and a whole
// ask/suggest/tell on SQLite) beside Optuna's sampler on its in-memory storage.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStudy, floatDistribution, RandomSampler, TPESampler, type Trial } from '../src/search';
import { NumpyRandomState } from '../src/search/numpy-random';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const nSeeds = option('seeds', 10);
const nTrials = option('trials', 50);
const history = option('history', 1000);
const objectiveMs = option('objective-ms', 100);
const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
let counter = 0;
const url = (): string => `sqlite:///${join(dir, `b${counter++}.db`)}`;

async function sphere(t: Trial): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 5; i++) {
    const x = await t.suggestFloat(`x${i}`, -5, 5);
    sum += x * x;
  }
  return sum;
}

async function branin(t: Trial): Promise<number> {
  const x1 = await t.suggestFloat('x1', -5, 10);
  const x2 = await t.suggestFloat('x2', 0, 15);
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const r = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - r) * Math.cos(x1) + 10;
}

function meanStd(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
}

async function bestOf(objective: (t: Trial) => Promise<number>, sampler: TPESampler | RandomSampler): Promise<number> {
  const study = await createStudy({ studyName: 'b', storage: url(), sampler });
  await study.optimize(objective, { nTrials });
  const best = await study.bestValue();
  await study.close();
  return best;
}

async function quality(): Promise<Record<string, Record<string, number[]>>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [name, objective] of [
    ['sphere5', sphere],
    ['branin', branin],
  ] as const) {
    out[name] = { 'ours TPE': [], 'ours TPE, normalized pdf': [], 'ours random': [] };
    for (let seed = 0; seed < nSeeds; seed++) {
      out[name]['ours TPE'].push(await bestOf(objective, new TPESampler({ seed })));
      out[name]['ours TPE, normalized pdf'].push(
        await bestOf(objective, new TPESampler({ seed, normalizedLogPdf: true })),
      );
      out[name]['ours random'].push(await bestOf(objective, new RandomSampler({ seed })));
    }
  }
  return out;
}

/** TPE time per trial with `history` completed trials: the sampler alone, and ask + 5 suggestions + tell. */
async function speed(): Promise<{ sampler: number; wholeTrial: number }> {
  const study = await createStudy({ studyName: 'speed', storage: url(), sampler: new TPESampler({ seed: 1 }) });
  const rng = new NumpyRandomState(0);
  const dists = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`x${i}`, floatDistribution(-5, 5)]));
  for (let k = 0; k < history; k++) {
    const params = Object.fromEntries(Object.keys(dists).map((n) => [n, rng.uniform(-5, 5)]));
    await study.addTrial({
      state: 'COMPLETE',
      values: [Object.values(params).reduce((a, v) => a + v * v, 0)],
      params,
      distributions: dists,
    });
  }
  const trials = await study.getTrials(['COMPLETE', 'PRUNED']);
  const sampler = new TPESampler({ seed: 1 });
  const samples = 20;
  let start = performance.now();
  for (let s = 0; s < samples; s++) {
    for (const [name, d] of Object.entries(dists)) sampler.sampleFromTrials(trials, true, name, d);
  }
  const samplerSeconds = (performance.now() - start) / 1000 / samples;
  start = performance.now();
  await study.optimize(sphere, { nTrials: samples });
  const wholeSeconds = (performance.now() - start) / 1000 / samples;
  await study.close();
  return { sampler: samplerSeconds, wholeTrial: wholeSeconds };
}

function python(): { quality: Record<string, number[]>; tpe_seconds_per_trial: number; optuna_version: string } | null {
  const res = spawnSync('/usr/bin/python3', [join(__dirname, 'bench-search-optuna.py')], {
    input: JSON.stringify({
      seeds: [...Array(nSeeds).keys()],
      n_trials: nTrials,
      timing_trials: history,
      timing_samples: 20,
    }),
    cwd: '/',
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) {
    process.stderr.write(`Python Optuna unavailable (apt-get install -y python3-optuna): ${res.stderr}\n`);
    return null;
  }
  return JSON.parse(res.stdout.toString());
}

/** Wall time of `workers` processes x `each` trials on one study (the tests' worker script). */
async function scale(storage: string, workers: number, each: number): Promise<{ seconds: number; numbers: string }> {
  const name = `scale${workers}`;
  await (await createStudy({ studyName: name, storage })).close();
  const tsx = join(__dirname, '../../../node_modules/tsx/dist');
  const worker = join(__dirname, '../src/search/test-support/worker.ts');
  const start = performance.now();
  await Promise.all(
    Array.from(
      { length: workers },
      (_, seed) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              '--require',
              join(tsx, 'preflight.cjs'),
              '--import',
              pathToFileURL(join(tsx, 'loader.mjs')).href,
              worker,
              storage,
              name,
              String(each),
              String(seed),
              'run',
              String(objectiveMs),
            ],
            { stdio: 'inherit' },
          );
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  const study = await createStudy({ studyName: name, storage, loadIfExists: true });
  const numbers = (await study.getTrials()).map((t) => t.number).sort((a, b) => a - b);
  await study.close();
  const ok = numbers.length === workers * each && numbers.every((n, i) => n === i);
  return { seconds, numbers: `${numbers.length} trials, numbers 0..${numbers.length - 1} ${ok ? 'exact' : 'WRONG'}` };
}

async function dropDatabases(adminUrl: string, urls: string[]): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  for (const u of urls) await admin.query(`DROP DATABASE IF EXISTS ${u.slice(u.lastIndexOf('/') + 1)} WITH (FORCE)`);
  await admin.end();
}

async function main(): Promise<void> {
  console.log(`search bench: ${nSeeds} seeds x ${nTrials} trials; TPE timing with ${history} completed trials`);
  const ours = await quality();
  const py = python();
  for (const name of Object.keys(ours)) {
    console.log(`\n${name}: best value after ${nTrials} trials, mean ± std over ${nSeeds} seeds`);
    for (const [who, values] of Object.entries(ours[name])) console.log(`  ${who.padEnd(24)} ${meanStd(values)}`);
    if (py) console.log(`  ${`Optuna ${py.optuna_version} TPE`.padEnd(24)} ${meanStd(py.quality[name])}`);
  }
  const s = await speed();
  console.log(`\nTPE time per trial (5 parameters, ${history} completed trials)`);
  console.log(`  ours, sampler only          ${(s.sampler * 1000).toFixed(1)} ms`);
  console.log(`  ours, ask+suggest+tell on SQLite ${(s.wholeTrial * 1000).toFixed(1)} ms`);
  if (py)
    console.log(`  Optuna ${py.optuna_version}, sampler only  ${(py.tpe_seconds_per_trial * 1000).toFixed(1)} ms`);
  if (args.includes('--scale')) {
    console.log(
      '\nscale: wall time of one study, 4 worker processes x 25 trials against 1 x 100 (TPE, 5 start-up ' +
        `trials, ${objectiveMs} ms objective; includes starting the processes)`,
    );
    const targets: Array<[string, () => Promise<string>]> = [['SQLite', async () => url()]];
    const pgUrl = 'postgresql://postgres@127.0.0.1:55432/postgres';
    targets.push([
      'PostgreSQL',
      async () => {
        const { Client } = await import('pg');
        const admin = new Client({ connectionString: pgUrl });
        await admin.connect();
        const db = `bench_search_${process.pid}_${counter++}`;
        await admin.query(`CREATE DATABASE ${db}`);
        await admin.end();
        return pgUrl.replace(/\/postgres$/, `/${db}`);
      },
    ]);
    for (const [label, make] of targets) {
      try {
        const fourUrl = await make();
        const oneUrl = await make();
        const four = await scale(fourUrl, 4, 25);
        const one = await scale(oneUrl, 1, 100);
        if (label === 'PostgreSQL') await dropDatabases(pgUrl, [fourUrl, oneUrl]);
        console.log(
          `  ${label.padEnd(10)} 4 x 25: ${four.seconds.toFixed(1)} s (${four.numbers});` +
            ` 1 x 100: ${one.seconds.toFixed(1)} s (${one.numbers})`,
        );
      } catch (e) {
        console.log(`  ${label}: skipped (${(e as Error).message})`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
