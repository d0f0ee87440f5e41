import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectGravitySpy, parseCsv } from '.';

const FIXTURE_DIR = path.join(__dirname, '__fixtures__');

describe('inspectGravitySpy', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-inspect-'));
    fs.copyFileSync(path.join(FIXTURE_DIR, 'gravity-spy-tiny.h5'), path.join(dir, 'tiny.h5'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts per class and split, gives the view shape and lists every malformed entry with the CSV's", async () => {
    const csv = path.join(dir, 'meta.csv');
    const rows = fs.readFileSync(path.join(FIXTURE_DIR, 'gravity-spy-tiny.csv'), 'utf8').trim().split('\n');
    // One row disagreeing with the file, one row cut short, one sample left without a row.
    const edited = rows
      .map((r) => r.replace('power_f32_b,Power_Line,validation', 'power_f32_b,Power_Line,test'))
      .filter((r) => !r.startsWith('whistle_u8_b,'));
    edited.push('"cut,short",Blip');
    fs.writeFileSync(csv, edited.join('\r\n') + '\r\n');
    const report = await inspectGravitySpy(path.join(dir, 'tiny.h5'), csv);
    expect(report.samples).toBe(9);
    expect(report.view_shape).toEqual([1, 140, 170]);
    expect(report.dtypes).toEqual({ uint8: 4, float: 5 });
    expect(report.per_split).toEqual({ train: 5, validation: 2, test: 2 });
    expect(report.per_class.Blip).toEqual({ train: 2, validation: 1, test: 1 });
    expect(report.classes_missing).toHaveLength(19);
    const byKind = (kind: string) => report.problems.filter((p) => p.kind === kind);
    expect(byKind('missing_view').map((p) => p.path)).toEqual(['/Whistle/train/whistle_missing_view/4.0.png']);
    expect(byKind('wrong_shape')[0].message).toMatch(/has shape \(1, 100, 170\), expected \(1, 140, 170\)/);
    expect(byKind('unknown_class')[0].message).toMatch(/unknown class 'Not_A_Glitch_Class'/);
    expect(byKind('csv_without_image')[0].message).toMatch(/row_without_image \(Blip, train\) has no image/);
    expect(byKind('csv_mismatch')[0].message).toMatch(
      /power_f32_b is Power_Line\/test in the CSV but Power_Line\/validation in the file/,
    );
    expect(byKind('image_without_csv').map((p) => p.path)).toEqual(['/Whistle/train/whistle_u8_b']);
    expect(byKind('csv_malformed').map((p) => p.path)).toEqual([`csv:${edited.length}`]);
  });

  it('fails with a clear message for a missing or non-HDF5 file', async () => {
    await expect(inspectGravitySpy(path.join(dir, 'nope.h5'))).rejects.toThrow(/nope\.h5 does not exist/);
    fs.writeFileSync(path.join(dir, 'text.h5'), 'not hdf5');
    await expect(inspectGravitySpy(path.join(dir, 'text.h5'))).rejects.toThrow(/cannot open .*text\.h5 as HDF5/);
  });

  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
  });
});
