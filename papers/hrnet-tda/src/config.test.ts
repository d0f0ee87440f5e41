import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { experimentsDir, listExperiments, loadExperiment, resolveExperiment } from './config';

const OFFICIAL = ['w18_small_v1', 'w18_small_v2', 'w18', 'w30', 'w32', 'w40', 'w44', 'w48', 'w64'];

describe('shipped experiment files', () => {
  it('include the nine official ones and the 32x32 one', () => {
    expect([...listExperiments().keys()].sort()).toEqual([...OFFICIAL, 'w18_small_v1_32x32'].sort());
  });

  it.each(OFFICIAL)('%s carries the official recipe', (name) => {
    const e = loadExperiment(name);
    expect(e.TRAIN).toMatchObject({
      OPTIMIZER: 'sgd',
      LR: 0.05,
      MOMENTUM: 0.9,
      NESTEROV: true,
      WD: 0.0001,
      END_EPOCH: 100,
      LR_STEP: [30, 60, 90],
      LR_FACTOR: 0.1,
      BATCH_SIZE_PER_GPU: 32,
    });
    expect(e.MODEL).toMatchObject({ NAME: 'cls_hrnet', NUM_CLASSES: 1000, IMAGE_SIZE: [224, 224], IN_CHANNELS: 3 });
    expect(e.MODEL.EXTRA.STEM_STRIDES).toEqual([2, 2]);
  });

  it('W32 has the official widths 32/64/128/256 with 1/4/3 modules', () => {
    const x = loadExperiment('w32').MODEL.EXTRA;
    expect([x.STAGE2.NUM_CHANNELS, x.STAGE3.NUM_CHANNELS, x.STAGE4.NUM_CHANNELS]).toEqual([
      [32, 64],
      [32, 64, 128],
      [32, 64, 128, 256],
    ]);
    expect([x.STAGE2.NUM_MODULES, x.STAGE3.NUM_MODULES, x.STAGE4.NUM_MODULES]).toEqual([1, 4, 3]);
    expect(x.STAGE1).toMatchObject({ BLOCK: 'BOTTLENECK', NUM_BLOCKS: [4], NUM_CHANNELS: [64] });
  });

  it('the 32x32 experiment has a stride-(1,2) stem, one grey channel and 10 classes', () => {
    const e = loadExperiment('w18_small_v1_32x32');
    expect(e.MODEL).toMatchObject({ IMAGE_SIZE: [32, 32], IN_CHANNELS: 1, NUM_CLASSES: 10 });
    expect(e.MODEL.EXTRA.STEM_STRIDES).toEqual([1, 2]);
    expect(e.MODEL.EXTRA.STAGE4).toEqual(loadExperiment('w18_small_v1').MODEL.EXTRA.STAGE4);
  });
});

describe('resolveExperiment', () => {
  const name = 'cls_hrnet_w18_sgd_lr5e-2_wd1e-4_bs32_x100';
  const file = path.join(experimentsDir, `${name}.yaml`);

  it('accepts a short name, a file name with or without .yaml, and a path', () => {
    expect(resolveExperiment('w18')).toBe(name);
    expect(resolveExperiment(name)).toBe(name);
    expect(resolveExperiment(`${name}.yaml`)).toBe(name);
    expect(resolveExperiment(path.relative(process.cwd(), file))).toBe(file);
  });

  it('names the known experiments when the reference is unknown', () => {
    expect(() => resolveExperiment('w99')).toThrow(/unknown experiment 'w99'.*w18_small_v1.*w64/);
  });

  it('every shipped key is read: the run layer replaced the ones that configured outputs and resume', () => {
    for (const file of fs.readdirSync(experimentsDir).filter((f) => f.endsWith('.yaml'))) {
      expect([
        file,
        /^(OUTPUT_DIR|LOG_DIR|\s+(BEGIN_EPOCH|RESUME|MODEL_FILE|ROOT|DATA_FORMAT)):/m.test(
          fs.readFileSync(path.join(experimentsDir, file), 'utf8'),
        ),
      ]).toEqual([file, false]);
    }
  });
});

describe('validation errors name the file and the key', () => {
  const base = () =>
    parse(fs.readFileSync(path.join(experimentsDir, `${resolveExperiment('w18_small_v1')}.yaml`), 'utf8'));
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-cfg-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit arbitrary parsed YAML
  function loadModified(edit: (cfg: Record<string, any>) => void): () => unknown {
    const cfg = base();
    edit(cfg);
    const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, JSON.stringify(cfg)); // JSON is YAML
    return () => loadExperiment(file);
  }

  it('an undeclared key (the official NUM_RANCHES typo)', () => {
    const load = loadModified((c) => (c.MODEL.EXTRA.STAGE1.NUM_RANCHES = 1));
    expect(load).toThrow(
      /invalid config .*bad-.*\.yaml: MODEL\.EXTRA\.STAGE1\.NUM_RANCHES = 1 .*unknown key; did you mean 'MODEL\.EXTRA\.STAGE1\.NUM_BRANCHES'\?/,
    );
  });

  it('a value of the wrong type', () => {
    expect(loadModified((c) => (c.TRAIN.LR = 'fast'))).toThrow(/TRAIN\.LR = "fast" .*expected a number >= 0/);
    expect(loadModified((c) => (c.MODEL.EXTRA.STAGE3.NUM_CHANNELS = [16, 0, 64]))).toThrow(
      /MODEL\.EXTRA\.STAGE3\.NUM_CHANNELS: must hold positive integers, got \[16,0,64\]/,
    );
    expect(loadModified((c) => (c.MODEL.EXTRA.STAGE2.BLOCK = 'RESNEXT'))).toThrow(
      /MODEL\.EXTRA\.STAGE2\.BLOCK = "RESNEXT" .*expected one of "BASIC", "BOTTLENECK"/,
    );
  });

  it('a missing stage key', () => {
    expect(loadModified((c) => delete c.MODEL.EXTRA.STAGE4.NUM_BLOCKS)).toThrow(
      /MODEL\.EXTRA\.STAGE4\.NUM_BLOCKS = null .*expected an array of integers \(null is not allowed here\)/,
    );
  });

  it('branch lists that disagree with NUM_BRANCHES', () => {
    expect(loadModified((c) => (c.MODEL.EXTRA.STAGE3.NUM_BLOCKS = [2, 2]))).toThrow(
      /MODEL\.EXTRA\.STAGE3\.NUM_BLOCKS: has 2 entries but NUM_BRANCHES is 3/,
    );
    expect(loadModified((c) => (c.MODEL.EXTRA.STAGE2.NUM_BRANCHES = 3))).toThrow(
      /MODEL\.EXTRA\.STAGE2\.NUM_BRANCHES: must be 2/,
    );
  });

  it('an image size the four resolutions cannot halve exactly', () => {
    expect(loadModified((c) => (c.MODEL.IMAGE_SIZE = [200, 200]))).toThrow(
      /MODEL\.IMAGE_SIZE: \[200,200\] must be divisible by 32/,
    );
  });

  it('a file that is not YAML', () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'MODEL: [unclosed');
    expect(() => loadExperiment(file)).toThrow(/invalid YAML in .*broken\.yaml: .*line 1, column 17/s);
  });
});
