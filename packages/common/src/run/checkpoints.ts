// Which run folder and checkpoint a `--resume` or `evaluate` argument names.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunLocation {
  runDir: string;
  checkpoint: string;
  configFile: string;
}

/**
 * `<run>` or `<run>/checkpoints/<name>.safetensors` -> the run folder, the checkpoint (a folder means
 * `checkpoints/<preferred>.safetensors`) and the run's `config.yaml`. Errors say where they looked.
 */
export function locateRun(target: string, preferred: 'last' | 'best'): RunLocation {
  const resolved = path.resolve(target);
  if (!fs.existsSync(resolved))
    throw new Error(
      `${target} does not exist (give a run folder or a .safetensors checkpoint in its checkpoints/ folder)`,
    );
  const isDir = fs.statSync(resolved).isDirectory();
  const runDir = isDir ? resolved : path.dirname(path.dirname(resolved));
  let checkpoint = resolved;
  if (isDir) {
    const dir = path.join(resolved, 'checkpoints');
    checkpoint = path.join(dir, `${preferred}.safetensors`);
    const fallback = path.join(dir, `${preferred === 'best' ? 'last' : 'best'}.safetensors`);
    if (!fs.existsSync(checkpoint) && fs.existsSync(fallback)) checkpoint = fallback;
    if (!fs.existsSync(checkpoint))
      throw new Error(`run folder ${target} has no checkpoints/${preferred}.safetensors: did its first epoch finish?`);
  } else if (!resolved.endsWith('.safetensors')) {
    throw new Error(`${target} is not a .safetensors checkpoint nor a run folder`);
  }
  const configFile = path.join(runDir, 'config.yaml');
  if (!fs.existsSync(configFile)) {
    throw new Error(
      `${target}: no run config at ${configFile} (a run writes config.yaml in its folder, next to checkpoints/)`,
    );
  }
  return { runDir, checkpoint, configFile };
}
