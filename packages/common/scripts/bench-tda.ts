// Benchmark of the tda module against the reference implementations, on the same inputs in the same run.
//
//   npx nx run common:bench-tda                      # GUDHI's full Rips complex only for 500 points
//   npx tsx packages/common/scripts/bench-tda.ts --full   # also GUDHI Rips on 1000 points (~270 s, ~10 GB)
//   options: --repeats <n> (best of n for ours, default 3), --skip-gudhi-rips-1000 (the default without --full)
//
// Inputs are generated here (seeded), written to a temporary folder as .npy (and .csv for ripser), and the
// references run on them: GUDHI through /usr/bin/python3 (scripts/golden/tda_bench_reference.py) and the Ripser
// binary (Debian package `ripser`) when installed. Prints one JSON line per case with both timings and their ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bottleneckDistance, ripsPersistence, wassersteinDistance, type PersistencePair } from '../src/tda';
import { mulberry32 } from '../src/random/rng';

const args = process.argv.slice(2);
const full = args.includes('--full');
const skipGudhiRips1000 = !full || args.includes('--skip-gudhi-rips-1000');
const repeatsAt = args.indexOf('--repeats');
const repeats = repeatsAt >= 0 ? Number(args[repeatsAt + 1]) : 3;
const PYTHON = '/usr/bin/python3';
const REFERENCE = join(__dirname, 'golden', 'tda_bench_reference.py');

/** A float64 C-order .npy file (format 1.0). */
function npy(rows: number, cols: number, values: ArrayLike<number>): Buffer {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(Float64Array.from(values).buffer)]);
}

/** Random diagram: birth uniform in [0, 1), persistence exponential with mean 0.25. */
function randomDiagram(n: number, seed: number): PersistencePair[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const birth = random();
    return [birth, birth - 0.25 * Math.log(1 - random())];
  });
}

function randomPoints(n: number, dim: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => random()));
}

function bestOf<T>(run: () => T): { seconds: number; result: T } {
  let seconds = Infinity;
  let result!: T;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const start = performance.now();
    result = run();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
  }
  return { seconds, result };
}

interface Reference {
  seconds: number;
  peak_mb: number;
  value?: number;
  h0?: [number, number | 'inf'][];
  h1?: [number, number | 'inf'][];
}

function gudhi(...taskArgs: string[]): Reference | { error: string } {
  const r = spawnSync(PYTHON, [REFERENCE, ...taskArgs], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) return { error: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) return { error: `GUDHI failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-1)[0]}` };
  return JSON.parse(r.stdout) as Reference;
}

/** Runs the Ripser binary on a point cloud (.csv) and counts its H0/H1 pairs; wall time includes start-up and parsing. */
function ripser(csv: string): { seconds: number; h0: number; h1: number } | { error: string } {
  const start = performance.now();
  const r = spawnSync('ripser', ['--format', 'point-cloud', '--dim', '1', csv], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.error) return { error: `ripser not installed (${r.error.message}); Debian: apt-get install -y ripser` };
  if (r.status !== 0) return { error: `ripser failed (exit ${r.status})` };
  const counts = [0, 0];
  let dim = -1;
  for (const line of r.stdout.split('\n')) {
    const m = /persistence intervals in dim (\d+)/.exec(line);
    if (m) dim = Number(m[1]);
    else if (line.startsWith(' [') && dim >= 0) counts[dim]++;
  }
  return { seconds, h0: counts[0], h1: counts[1] };
}

const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));
const decode = (pairs: [number, number | 'inf'][]): PersistencePair[] =>
  pairs.map(([b, d]) => [b, d === 'inf' ? Infinity : d]);

function report(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tda-'));
  try {
    report({
      note: 'wall seconds; ours = best of repeats in this process; GUDHI times exclude Python start-up and loading',
      repeats,
      inputs: dir,
    });

    for (const [n, seed] of [
      [1000, 1],
      [5000, 3],
    ]) {
      const a = randomDiagram(n, seed);
      const b = randomDiagram(n, seed + 1);
      const fa = join(dir, `diagram-${n}-a.npy`);
      const fb = join(dir, `diagram-${n}-b.npy`);
      writeFileSync(fa, npy(n, 2, a.flat()));
      writeFileSync(fb, npy(n, 2, b.flat()));
      const ours = bestOf(() => bottleneckDistance(a, b));
      const ref = gudhi('bottleneck', fa, fb);
      const anchors =
        n === 1000 ? { gudhi_exact_s: 0.49, hera_exact_s: 0.16 } : { gudhi_exact_s: 16.2, hera_exact_s: 1.14 };
      report({
        case: `bottleneck ${n} vs ${n}`,
        ours_s: round(ours.seconds),
        ours_value: ours.result,
        ...('error' in ref
          ? { gudhi_error: ref.error }
          : {
              gudhi_exact_s: round(ref.seconds),
              gudhi_value: ref.value,
              same_value: ref.value === ours.result,
              gudhi_over_ours: round(ref.seconds / ours.seconds, 3),
            }),
        hera: 'not installable here (not in Debian or npm); anchor from TDA.md',
        anchors_s: anchors,
      });
    }

    {
      const n = 1000;
      const a = randomDiagram(n, 11);
      const b = randomDiagram(n, 12);
      const fa = join(dir, `w-${n}-a.npy`);
      const fb = join(dir, `w-${n}-b.npy`);
      writeFileSync(fa, npy(n, 2, a.flat()));
      writeFileSync(fb, npy(n, 2, b.flat()));
      const ours = bestOf(() => wassersteinDistance(a, b, { order: 1 }));
      const ref = gudhi('wasserstein', fa, fb);
      report({
        case: `wasserstein-1 ${n} vs ${n}`,
        ours_s: round(ours.seconds),
        ours_value: ours.result,
        ...('error' in ref
          ? { gudhi_error: ref.error }
          : {
              gudhi_pot_s: round(ref.seconds),
              gudhi_value: ref.value,
              relative_difference: round(Math.abs(ref.value! - ours.result) / ref.value!, 3),
              gudhi_over_ours: round(ref.seconds / ours.seconds, 3),
            }),
        anchors_s: { pot_exact_emd: 0.33 },
      });
    }

    for (const [n, seed] of [
      [500, 21],
      [1000, 22],
    ]) {
      const points = randomPoints(n, 16, seed);
      const fnpy = join(dir, `points-${n}.npy`);
      const fcsv = join(dir, `points-${n}.csv`);
      writeFileSync(fnpy, npy(n, 16, points.flat()));
      writeFileSync(fcsv, points.map((p) => p.join(',')).join('\n') + '\n');
      const ours = bestOf(() => ripsPersistence(points, { maxDim: 1 }));
      const [h0, h1] = ours.result;
      const rip = ripser(fcsv);
      const line: Record<string, unknown> = {
        case: `rips H0+H1 ${n} points 16-D`,
        ours_s: round(ours.seconds),
        ours_pairs: { h0: h0.pairs.length, h1: h1.pairs.length },
        ...('error' in rip
          ? { ripser_error: rip.error }
          : {
              ripser_s: round(rip.seconds),
              ripser_pairs: { h0: rip.h0, h1: rip.h1 },
              ours_over_ripser: round(ours.seconds / rip.seconds, 3),
            }),
        anchors_s: n === 500 ? { ripser: 0.08, gudhi_full_complex: 34 } : { ripser: 0.38, gudhi_full_complex: 272 },
      };
      if (n === 1000 && skipGudhiRips1000)
        line.gudhi = 'skipped (GUDHI full complex: ~272 s and ~9.6 GB); run with --full';
      else {
        const ref = gudhi('rips', fnpy);
        if ('error' in ref) line.gudhi_error = ref.error;
        else {
          // Agreement: the bottleneck distance between our diagrams and GUDHI's in each dimension.
          line.gudhi_s = round(ref.seconds);
          line.gudhi_peak_mb = Math.round(ref.peak_mb);
          line.gudhi_over_ours = round(ref.seconds / ours.seconds, 3);
          line.bottleneck_to_gudhi = {
            h0: bottleneckDistance(h0.pairs, decode(ref.h0!)),
            h1: bottleneckDistance(h1.pairs, decode(ref.h1!)),
          };
        }
      }
      report(line);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
