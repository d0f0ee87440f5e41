// A search worker process for the multi-process tests and bench-search:
//   worker.ts <storage-url> <study> <n-trials> <seed> [hang|run|grid] [objective-ms (default 2)]
// "hang" asks one trial, keeps its heartbeat going and never finishes it (the test SIGKILLs it); "grid" runs a
// GridSampler over a 5 x 4 grid.
import { GridSampler } from '../samplers/grid';
import { TPESampler } from '../samplers/tpe';
import { loadStudy } from '../study';

async function main(): Promise<void> {
  const [storage, studyName, nTrials, seed, mode, objectiveMs] = process.argv.slice(2);
  const heartbeat = { heartbeatInterval: 0.3, gracePeriod: 1.5 };
  const sampler =
    mode === 'grid'
      ? new GridSampler({ a: [1, 2, 3, 4, 5], b: ['p', 'q', 'r', 's'] }, { seed: Number(seed) })
      : new TPESampler({ seed: Number(seed), nStartupTrials: 5 });
  const study = await loadStudy({ studyName, storage, sampler, heartbeat });
  if (mode === 'hang') {
    const trial = await study.ask();
    await trial.suggestFloat('x', -5, 5);
    setInterval(() => void study.storage.recordHeartbeat(trial.trialId), heartbeat.heartbeatInterval * 1000);
    process.stdout.write(`running ${trial.number}\n`);
    return;
  }
  if (mode === 'grid') {
    await study.optimize(
      async (trial) => {
        const a = await trial.suggestInt('a', 1, 5);
        const b = await trial.suggestCategorical('b', ['p', 'q', 'r', 's']);
        await new Promise((r) => setTimeout(r, 5));
        return a + b.charCodeAt(0);
      },
      { nTrials: Number(nTrials) },
    );
    await study.close();
    return;
  }
  await study.optimize(
    async (trial) => {
      const x = await trial.suggestFloat('x', -5, 5);
      const y = await trial.suggestInt('y', 0, 10);
      await new Promise((r) => setTimeout(r, Number(objectiveMs ?? 2)));
      return x * x + y;
    },
    { nTrials: Number(nTrials) },
  );
  await study.close();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
