// `nx run hrnet:valid --cfg <experiment> --testModel <checkpoint> [--split test|val] [--dataDir D] [--out file.json]`
import * as path from 'path';
import { experimentFromCli, parseCli, runMain, str } from './cli';
import { evaluateCheckpoint } from './evaluate';
import { writeJsonAtomic } from './run';

const USAGE = 'valid --cfg <experiment> --testModel <checkpoint.safetensors> [--split test|val] [--dataDir <datasets dir>] [--out <file.json>] [KEY.PATH=value ...]';

runMain(async () => {
  const { values, overrides } = parseCli(process.argv.slice(2), {
    cfg: { type: 'string' }, testModel: { type: 'string' }, split: { type: 'string', default: 'test' }, dataDir: { type: 'string' }, out: { type: 'string' },
  }, USAGE);
  const { experiment } = experimentFromCli(values.cfg, overrides, USAGE);
  const checkpoint = str(values.testModel) ?? (experiment.TEST.MODEL_FILE !== '' ? experiment.TEST.MODEL_FILE : undefined);
  if (checkpoint === undefined) throw new Error(`--testModel (or TEST.MODEL_FILE) is required\nusage: ${USAGE}`);
  const split = values.split;
  if (split !== 'test' && split !== 'val') throw new Error(`--split must be 'test' or 'val', got '${String(split)}'`);
  const result = await evaluateCheckpoint(experiment, path.resolve(checkpoint), { split, dataDir: str(values.dataDir) });
  const out = str(values.out) ?? path.join(path.dirname(path.resolve(checkpoint)), `${path.basename(checkpoint, '.safetensors')}.${split}.json`);
  writeJsonAtomic(out, result);
  console.log(`${split}: loss ${result.loss.toFixed(4)} top-1 ${(100 * result.top1).toFixed(2)}% top-5 ${(100 * result.top5).toFixed(2)}% (${result.n} images)`);
  console.log(JSON.stringify({ ...result, written: out }));
});
