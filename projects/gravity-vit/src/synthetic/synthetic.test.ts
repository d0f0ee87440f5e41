import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng } from '@research/common';
import { GRAVITY_SPY_CLASSES, GravitySpyDataset, VIEW_HEIGHT, VIEW_WIDTH } from '../data';
import { GLITCHES, SYNTHETIC_CSV, amplitudeOfSnr, renderViews, writeSyntheticGravitySpy } from '.';

/** The noise-free energy image of a glitch at one window (rows = frequency, columns = time). */
function energyImage(label: (typeof GRAVITY_SPY_CLASSES)[number], duration: number, seed: number): Float64Array {
  const e = GLITCHES[label](createRng(seed));
  const out = new Float64Array(VIEW_HEIGHT * VIEW_WIDTH);
  const uMin = Math.log2(10);
  const uMax = Math.log2(2048);
  for (let y = 0; y < VIEW_HEIGHT; y++) {
    const u = uMax - ((y + 0.5) / VIEW_HEIGHT) * (uMax - uMin);
    for (let x = 0; x < VIEW_WIDTH; x++)
      out[y * VIEW_WIDTH + x] = e(((x + 0.5) / VIEW_WIDTH - 0.5) * duration, u, duration / VIEW_WIDTH);
  }
  return out;
}

/** Columns whose strongest pixel exceeds half the image's maximum. */
function brightColumns(img: Float64Array): number {
  const max = Math.max(...img);
  let n = 0;
  for (let x = 0; x < VIEW_WIDTH; x++) {
    let m = 0;
    for (let y = 0; y < VIEW_HEIGHT; y++) m = Math.max(m, img[y * VIEW_WIDTH + x]);
    if (m > max / 2) n++;
  }
  return n;
}

describe('synthetic glitches', () => {
  it('draws a glitch in physical time: a shorter window zooms in', () => {
    // A Blip (~10 ms) spans about 8x more columns in the 0.5 s window than in the 4 s one.
    const wide = brightColumns(energyImage('Blip', 0.5, 1));
    const narrow = brightColumns(energyImage('Blip', 4, 1));
    expect(wide).toBeGreaterThan(4 * narrow);
    // A Power Line does not depend on time: every window shows the same rows.
    const a = energyImage('Power_Line', 0.5, 1);
    const b = energyImage('Power_Line', 4, 1);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-12);
    // 60 Hz is where the line is brightest.
    const rowOf60 = Math.round(
      ((Math.log2(2048) - Math.log2(60)) / (Math.log2(2048) - Math.log2(10))) * VIEW_HEIGHT - 0.5,
    );
    const brightestRow = Math.floor(a.indexOf(Math.max(...a)) / VIEW_WIDTH);
    expect(Math.abs(brightestRow - rowOf60)).toBeLessThanOrEqual(1);
  });

  it('gives the 22 classes 22 different pictures (mean energy images far apart)', () => {
    const means = GRAVITY_SPY_CLASSES.map((label) => {
      const sum = new Float64Array(VIEW_HEIGHT * VIEW_WIDTH);
      for (let s = 0; s < 2; s++) energyImage(label, 2, 100 + s).forEach((v, i) => (sum[i] += Math.min(1, v) / 2));
      return sum;
    });
    for (let i = 0; i < means.length; i++) {
      for (let j = i + 1; j < means.length; j++) {
        let d = 0;
        for (let k = 0; k < means[i].length; k++) d += (means[i][k] - means[j][k]) ** 2;
        expect({
          pair: `${GRAVITY_SPY_CLASSES[i]} vs ${GRAVITY_SPY_CLASSES[j]}`,
          far: Math.sqrt(d / means[i].length) > 0.02,
        }).toEqual({ pair: `${GRAVITY_SPY_CLASSES[i]} vs ${GRAVITY_SPY_CLASSES[j]}`, far: true });
      }
    }
  });

  it('renders uint8 views with the amplitude of the SNR over noise', () => {
    const views = renderViews(GLITCHES.Extremely_Loud(createRng(3)), amplitudeOfSnr(1000), createRng(4));
    expect(views).toHaveLength(4);
    expect(views[0].length).toBe(VIEW_HEIGHT * VIEW_WIDTH);
    expect(views[0][70 * VIEW_WIDTH + 85]).toBe(255); // saturated at the centre
    const quiet = renderViews(GLITCHES.No_Glitch(createRng(3)), amplitudeOfSnr(10), createRng(4))[0];
    const mean = quiet.reduce((a, b) => a + b, 0) / quiet.length / 255;
    expect(mean).toBeGreaterThan(0.08); // 0.06 + 0.04 x E[Exp(1)] = 0.10
    expect(mean).toBeLessThan(0.12);
  });
});

describe('writeSyntheticGravitySpy', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-syn-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the real layout with a CSV row per sample, deterministically', async () => {
    // Three classes keep the test short (jest runs this arithmetic ~15x slower than node).
    const options = {
      perClass: { train: 2, validation: 1, test: 0 },
      seed: 5,
      classes: ['Blip', 'Helix', 'Whistle'] as const,
    };
    const a = await writeSyntheticGravitySpy({ dir: path.join(dir, 'a'), ...options });
    const b = await writeSyntheticGravitySpy({ dir: path.join(dir, 'b'), ...options });
    expect(a.samples).toBe(9);
    const dsA = await GravitySpyDataset.open(a.h5);
    const dsB = await GravitySpyDataset.open(b.h5);
    try {
      expect(dsA.problems).toEqual([]);
      expect(dsA.summary()).toEqual({
        train: { Blip: 2, Helix: 2, Whistle: 2 },
        validation: { Blip: 1, Helix: 1, Whistle: 1 },
        test: {},
      });
      const e = dsA.split('validation')[1];
      expect(e.uint8).toBe(true);
      expect(dsA.samples.map((s) => s.id)).toEqual(dsB.samples.map((s) => s.id));
      expect(Array.from(dsA.views(e))).toEqual(Array.from(dsB.views(dsB.split('validation')[1])));
      const csv = fs
        .readFileSync(path.join(dir, 'a', SYNTHETIC_CSV), 'utf8')
        .trim()
        .split('\n');
      expect(csv[0]).toBe('gravityspy_id,label,sample_type,ifo,snr');
      expect(csv).toHaveLength(10);
      expect(csv.some((row) => row.startsWith(`${e.id},${e.label},validation,`))).toBe(true);
    } finally {
      dsA.close();
      dsB.close();
    }
  });
});
