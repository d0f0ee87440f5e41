// purgeEvents: values past a cut are dropped per tag, file headers and untouched files stay, a torn tail goes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { purgeEvents } from './purge';
import { readEvents } from './event-reader';
import { SummaryWriter } from './summary-writer';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'purge-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const steps = (events: ReturnType<typeof readEvents>, tag: string) => events.scalars[tag]?.map((p) => p.step) ?? [];

it('drops each tag past its own cut, keeps the header and files with nothing to drop', () => {
  const first = new SummaryWriter(dir, { filenameSuffix: '.a' });
  for (let step = 1; step <= 6; step++) first.addScalar('train/loss', step / 10, step * 4);
  for (let epoch = 1; epoch <= 3; epoch++) first.addScalar('epoch/val_acc', epoch / 4, epoch);
  first.addText('test/report', 'old', 3);
  first.close();
  const untouched = new SummaryWriter(path.join(dir, 'sub'), { filenameSuffix: '.b' });
  untouched.addScalar('epoch/val_acc', 0.1, 1);
  untouched.close();
  const before = fs.readFileSync(untouched.filePath);

  const keep = (tag: string, step: number) => !tag.startsWith('test/') && step <= (tag.startsWith('train/') ? 12 : 2);
  const rewritten = purgeEvents(dir, keep);
  expect(rewritten).toEqual([{ file: first.filePath, dropped: 5 }]); // 3 train, 1 epoch, 1 text
  const events = readEvents(dir);
  expect(steps(events, 'train/loss')).toEqual([4, 8, 12]);
  expect(steps(events, 'epoch/val_acc')).toEqual([1, 2]);
  expect(events.texts).toEqual({});
  expect(fs.readFileSync(first.filePath).subarray(0, 60).includes('brain.Event:2')).toBe(true);
  expect(fs.readFileSync(untouched.filePath).equals(before)).toBe(true);
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

it('cuts a record torn by a kill off the end of a file', () => {
  const writer = new SummaryWriter(dir);
  writer.addScalar('train/loss', 1, 1);
  writer.addScalar('train/loss', 2, 2);
  writer.close();
  const whole = fs.statSync(writer.filePath).size;
  fs.appendFileSync(writer.filePath, fs.readFileSync(writer.filePath).subarray(whole - 20, whole - 5));
  expect(purgeEvents(dir, () => true)).toEqual([{ file: writer.filePath, dropped: 0 }]);
  expect(fs.statSync(writer.filePath).size).toBe(whole);
  expect(steps(readEvents(dir), 'train/loss')).toEqual([1, 2]);
});
