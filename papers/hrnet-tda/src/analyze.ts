// `nx run hrnet:analyze --cfg <experiment> --testModel <checkpoint> [--out dir] [--dataDir D] [KEY.PATH=value ...]`:
// the full topology report of a checkpoint (per-layer diagrams JSON, distances JSON + markdown, plots).
import * as path from 'path';
import { analyzeCheckpoint } from './analysis';
import { experimentFromCli, parseCli, runMain, str } from './cli';

const USAGE = 'analyze --cfg <experiment> --testModel <checkpoint.safetensors> [--out <dir>] [--dataDir <datasets dir>] [TOPO.SAMPLES=128 ...]';

runMain(async () => {
  const { values, overrides } = parseCli(process.argv.slice(2), {
    cfg: { type: 'string' }, testModel: { type: 'string' }, out: { type: 'string' }, dataDir: { type: 'string' },
  }, USAGE);
  const { experiment, name } = experimentFromCli(values.cfg, overrides, USAGE);
  const checkpoint = str(values.testModel) ?? (experiment.TEST.MODEL_FILE !== '' ? experiment.TEST.MODEL_FILE : undefined);
  if (checkpoint === undefined) throw new Error(`--testModel (or TEST.MODEL_FILE) is required\nusage: ${USAGE}`);
  const result = await analyzeCheckpoint(experiment, name, path.resolve(checkpoint), { out: str(values.out), dataDir: str(values.dataDir) });
  console.log(`[hrnet] ${result.data}`);
  console.log(`[hrnet] topology report: ${result.dir} (${result.files.length} files), topo_gap ${result.measurement.metrics.topo_gap.toFixed(4)}`);
});
