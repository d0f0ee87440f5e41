// `nx run hrnet:train --cfg <experiment> [--modelDir D] [--logDir D] [--dataDir D] [--runDir D] [KEY.PATH=value ...]`
import { experimentFromCli, parseCli, runMain, str } from './cli';
import { trainExperiment } from './run';

const USAGE = 'train --cfg <experiment> [--modelDir <checkpoints dir>] [--logDir <tensorboard dir>] [--dataDir <datasets dir>] [--runDir <dir>] [TRAIN.LR=0.01 ...]';

runMain(async () => {
  const { values, overrides } = parseCli(process.argv.slice(2), {
    cfg: { type: 'string' }, modelDir: { type: 'string' }, logDir: { type: 'string' }, dataDir: { type: 'string' }, runDir: { type: 'string' },
  }, USAGE);
  const { experiment, name } = experimentFromCli(values.cfg, overrides, USAGE);
  const result = await trainExperiment({
    experiment, name, runDir: str(values.runDir), modelDir: str(values.modelDir), logDir: str(values.logDir), dataDir: str(values.dataDir),
    command: `train ${process.argv.slice(2).join(' ')}`,
  });
  const { history: _history, ...summary } = result;
  console.log(JSON.stringify(summary, null, 1));
});
