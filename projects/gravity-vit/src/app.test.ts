import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trainRun } from '@research/common';
import { gravityVitApp } from './app';

const FIXTURE = path.join(__dirname, 'data', '__fixtures__', 'gravity-spy-tiny.h5');

it('train.mixed_precision runs the fit through the AMP plugin: a loss scale per epoch, kept in the checkpoint', async () => {
  const outputRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-amp-'));
  try {
    const { history, runDir } = await trainRun(gravityVitApp, {
      overrides: [
        'model=vit',
        'model.view=1.0',
        'model.input_size=[32,48]',
        'model.vit.dim=16',
        'model.vit.depth=1',
        'train=smoke',
        `data.h5=${FIXTURE}`,
        'data.batch_size=2',
        'tracking.mlflow=false',
        'train.mixed_precision=true',
        'train.amp_dtype=float16',
      ],
      epochs: 1,
      outputRoot,
      progress: false,
      log: () => undefined,
    });
    // GradScaler: from 65536, halved at each step whose float16 gradients overflowed (that step skipped); growth
    // needs 2000 clean steps, which a smoke epoch never reaches.
    const skipped = history[0].amp_skipped_steps as number;
    expect(Number.isInteger(skipped)).toBe(true);
    expect(history[0].amp_scale).toBe(65536 * 0.5 ** skipped);
    const config = fs.readFileSync(path.join(runDir, 'config.yaml'), 'utf8');
    expect(config).toMatch(/mixed_precision: true/);
    expect(config).toMatch(/amp_dtype: float16/);
  } finally {
    fs.rmSync(outputRoot, { recursive: true, force: true });
  }
}, 120_000);
