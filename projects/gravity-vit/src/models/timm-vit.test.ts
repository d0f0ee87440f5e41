import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bicubicResize, resampleAbsPosEmbed } from './pos-embed';
import { VIT_BASE_PATCH16, timmVit } from './timm-vit';
import { loadTimmVitWeights } from './timm-weights';

const GOLDEN_DIR = path.join(__dirname, '..', '..', 'scripts', 'golden');
const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'timm_vit_golden.json'), 'utf8'));
const WEIGHTS = path.join(GOLDEN_DIR, 'timm_vit_small.safetensors');
const cfg = golden.config;

/** The script's input, NHWC: x[b, c, h, w] = sin(0.1 (h + 1)(c + 1) + 0.07 w + b). */
function fixedInput(batch: number, h: number, w: number): tf.Tensor4D {
  const data = new Float32Array(batch * h * w * cfg.channels);
  let i = 0;
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < cfg.channels; c++) data[i++] = Math.sin(0.1 * (y + 1) * (c + 1) + 0.07 * x + b);
  return tf.tensor4d(data, [batch, h, w, cfg.channels]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function build(img: [number, number]) {
  return timmVit({
    imgSize: img,
    patchSize: cfg.patch,
    inChans: cfg.channels,
    dim: cfg.dim,
    depth: cfg.depth,
    numHeads: cfg.heads,
    mlpDim: cfg.mlp_dim,
    numClasses: cfg.classes,
  });
}

describe('bicubic positional-embedding resampling (timm resample_abs_pos_embed, PyTorch bicubic)', () => {
  interface BicubicCase {
    old_grid: [number, number];
    new_grid: [number, number];
    dim: number;
    input: number[][];
    output: number[][];
  }
  const cases: [string, BicubicCase][] = golden.bicubic_cases.map((c: BicubicCase) => [
    `${c.old_grid.join('x')} -> ${c.new_grid.join('x')}`,
    c,
  ]);
  it.each(cases)('%s', (_name, c) => {
    const out = resampleAbsPosEmbed(Float32Array.from(c.input.flat()), {
      oldGrid: c.old_grid,
      newGrid: c.new_grid,
      dim: c.dim,
    });
    expect(maxAbsDiff(out, c.output.flat())).toBeLessThan(1e-5);
  });

  it('keeps a grid of the same size unchanged', () => {
    const grid = Float32Array.from({ length: 3 * 4 * 2 }, (_, i) => Math.cos(i));
    expect(maxAbsDiff(bicubicResize(grid, [3, 4], [3, 4], 2), grid)).toBeLessThan(1e-6);
  });
});

describe('timmVit', () => {
  it('has timm layer names and the parameter count of the PyTorch model (42,934)', () => {
    const model = build(cfg.img);
    expect(model.countParams()).toBe(42934);
    const names = model.layers.map((l) => l.name);
    for (const n of [
      'patch_embed.proj',
      'embed',
      'blocks.0.norm1',
      'blocks.0.attn',
      'blocks.1.mlp.fc1',
      'blocks.1.mlp.fc2',
      'norm',
      'head',
    ])
      expect(names).toContain(n);
    model.dispose();
  });

  it("builds ViT-B/16 at 224 with timm vit_base_patch16_224's 86,567,656 parameters", () => {
    const model = timmVit({ imgSize: [224, 224], inChans: 3, numClasses: 1000, ...VIT_BASE_PATCH16 });
    expect(model.countParams()).toBe(86567656);
    model.dispose();
  });

  it('gives the PyTorch logits for timm-layout safetensors weights (within 1e-4)', () => {
    const model = build(cfg.img);
    const report = loadTimmVitWeights(model, WEIGHTS);
    expect(report.skipped).toEqual([]);
    expect(report.resampledPosEmbed).toBeUndefined();
    const x = fixedInput(2, cfg.img[0], cfg.img[1]);
    const logits = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(logits.dataSync(), golden.native.logits.flat())).toBeLessThan(1e-4);
    tf.dispose([x, logits]);
    model.dispose();
  });

  it('resamples pos_embed to a larger input (3x4 -> 4x5 patches) and gives the PyTorch logits', () => {
    const model = build(golden.resampled.img);
    const report = loadTimmVitWeights(model, WEIGHTS, { sourceGrid: golden.resampled.old_grid });
    expect(report.resampledPosEmbed).toEqual({ from: [3, 4], to: [4, 5] });
    const pos = model.getLayer('embed').getWeights()[1];
    expect(maxAbsDiff(pos.dataSync(), golden.resampled.pos_embed.flat())).toBeLessThan(1e-5);
    const x = fixedInput(2, golden.resampled.img[0], golden.resampled.img[1]);
    const logits = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(logits.dataSync(), golden.resampled.logits.flat())).toBeLessThan(1e-4);
    tf.dispose([x, logits]);
    model.dispose();
  });

  it('says what is wrong with a non-square checkpoint grid or a bad input size', () => {
    const model = build(golden.resampled.img);
    expect(() => loadTimmVitWeights(model, WEIGHTS)).toThrow(/not a square grid: pass sourceGrid/);
    model.dispose();
    expect(() => build([50, 64])).toThrow(/not divisible by patch size 16/);
  });
});
