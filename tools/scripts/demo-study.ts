// A small search study to look at without training anything: TPE (seed 0) and the median pruner on a synthetic
// objective of four parameters with per-epoch intermediate values, stored where `tools search` stores a study.
//   npx tsx tools/scripts/demo-study.ts [--logdir assets/outputs] [--trials 40]
// then: npx tools visualise --mode search --study-name demo   (or the dashboard: --mode launch --dashboard)
import { createStudy, MedianPruner, outputsDir, sqliteUrl, TPESampler, TrialPruned } from '@research/common';
import * as fs from 'node:fs';
import * as path from 'node:path';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const file = path.join(path.resolve(option('logdir', outputsDir())), 'demo', 'optuna_studies', 'demo', 'study.db');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const study = await createStudy({
    studyName: 'demo',
    storage: sqliteUrl(file),
    direction: 'minimize',
    sampler: new TPESampler({ seed: 0 }),
    pruner: new MedianPruner(),
    loadIfExists: true,
  });
  await study.optimize(
    async (trial) => {
      const x = await trial.suggestFloat('x', -5, 5);
      const lr = await trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
      const act = await trial.suggestCategorical('act', ['relu', 'gelu', 'tanh']);
      const width = await trial.suggestInt('width', 16, 128, { step: 16 });
      // x matters most, then lr (best near 1e-3), then the activation; width barely.
      const floor = (x - 1) ** 2 + (Math.log10(lr) + 3) ** 2 + (act === 'gelu' ? 0 : 1) + width / 1000;
      let loss = 0;
      for (let epoch = 1; epoch <= 8; epoch++) {
        loss = floor + 8 / epoch; // a learning curve that flattens towards the floor
        await trial.report(loss, epoch);
        if (await trial.shouldPrune()) throw new TrialPruned();
      }
      return loss;
    },
    { nTrials: Number(option('trials', '40')) },
  );
  console.log(`study 'demo' in ${sqliteUrl(file)}: best ${await study.bestValue()} with`, await study.bestParams());
  await study.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
