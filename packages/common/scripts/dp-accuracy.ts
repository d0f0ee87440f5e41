// The DP figure of the trainers issue: the reference CNN (torch_reference.py's, no BatchNorm) on Fashion-MNIST,
// trained non-privately and with DP-SGD at several target epsilons (delta 1e-5), same batch, epochs, optimizer and
// seed; each arm is one fit-reference run through the run layer. Prints one JSON line per arm, then a Markdown table
// of test accuracy, the epsilon spent and the noise multiplier found. (The arms run one after the other, so their
// img/s see different loads: DP's throughput relative to standard is bench-dp.ts's job, which alternates the two.)
//
//   npx tsx packages/common/scripts/dp-accuracy.ts [--epsilons 1,3,8] [--epochs 5] [--batch 256] [--seed 0]
//       [--output-dir assets/outputs/common/dp-accuracy] [other fit-reference overrides, e.g. lr=2e-3]
// Needs the full set imported (npx tools import-dataset fashion-mnist --from ../shared/datasets/fashion-mnist),
// else it runs on the embedded 5,000-image sample and says so.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    epsilons: { type: 'string', default: '1,3,8' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '256' },
    seed: { type: 'string', default: '0' },
    'output-dir': { type: 'string', default: path.join('assets', 'outputs', 'common', 'dp-accuracy') },
  },
  allowPositionals: true,
});

const epsilons = values.epsilons.split(',').map(Number);
if (epsilons.some((e) => !(e > 0))) throw new Error(`--epsilons: expected positive numbers, got '${values.epsilons}'`);
const outputRoot = path.resolve(values['output-dir']);
const fitReference = path.join(__dirname, 'fit-reference', 'main.ts');

interface Arm {
  name: string;
  overrides: string[];
}
const arms: Arm[] = [
  { name: 'standard', overrides: [] },
  ...epsilons.map((e) => ({
    name: `dp eps=${e}`,
    overrides: ['training.trainer_type=dp', `training.dp.target_epsilon=${e}`, 'training.dp.target_delta=1e-5'],
  })),
];

interface ArmResult {
  arm: string;
  test_acc: number;
  epsilon: number | null;
  noise_multiplier: number | null;
  train_img_s: number;
  fit_s: number;
  data: string;
}

/** Runs one arm in its own process (a fresh backend and memory) and reads what its run folder holds. */
function runArm(arm: Arm): ArmResult {
  const name = arm.name.replace(/[^a-z0-9.]+/gi, '-');
  const args = [
    'tsx',
    fitReference,
    'train',
    '--no-progress',
    '--output-dir',
    outputRoot,
    '--epochs',
    values.epochs,
    '--seed',
    values.seed,
    `batch_size=${values.batch}`,
    `experiment.name=${name}`,
    ...arm.overrides,
    ...positionals,
  ];
  console.error(`[dp-accuracy] ${arm.name}: npx ${args.join(' ')}`);
  const out = spawnSync('npx', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (out.status !== 0) throw new Error(`[dp-accuracy] ${arm.name} failed (exit ${out.status})`);
  const folder = /\[common\] run folder (\S+)/.exec(out.stdout)?.[1];
  if (!folder) throw new Error(`[dp-accuracy] ${arm.name}: no run folder in the output:\n${out.stdout}`);
  const results = JSON.parse(fs.readFileSync(path.join(folder, 'results.json'), 'utf8'));
  const history = JSON.parse(fs.readFileSync(path.join(folder, 'metrics.json'), 'utf8')) as Record<string, number>[];
  const noise = /noise multiplier ([\d.]+)/i.exec(out.stdout)?.[1];
  return {
    arm: arm.name,
    test_acc: results.test_acc,
    epsilon: history[history.length - 1].epsilon ?? null,
    noise_multiplier: noise === undefined ? null : Number(noise),
    train_img_s: results.train_examples_per_second,
    fit_s: results.fit_seconds,
    data: results.data,
  };
}

const rows: ArmResult[] = [];
for (const arm of arms) {
  const row = runArm(arm);
  console.log(JSON.stringify(row));
  rows.push(row);
}
console.log(`\n${rows[0].data}; ${values.epochs} epochs, batch ${values.batch}, seed ${values.seed}\n`);
console.log('| arm | test accuracy % | epsilon (delta 1e-5) | noise multiplier | fit time (s) |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.arm} | ${(100 * r.test_acc).toFixed(2)} | ${r.epsilon?.toFixed(2) ?? '-'} | ${r.noise_multiplier ?? '-'} | ${r.fit_s.toFixed(0)} |`,
  );
}
