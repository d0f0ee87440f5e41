import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from './atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates parent folders, replaces the old content and leaves no temporary file', () => {
    const file = path.join(dir, 'a', 'b.txt');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([104, 105]));
    expect(fs.readFileSync(file, 'utf8')).toBe('hi');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['b.txt']);
  });

  it('keeps the old file and removes the temporary one when the write fails', () => {
    const file = path.join(dir, 'c.txt');
    writeFileAtomic(file, 'kept');
    fs.mkdirSync(path.join(dir, 'target-is-dir'));
    expect(() => writeFileAtomic(path.join(dir, 'target-is-dir'), 'x')).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
    expect(fs.readdirSync(dir).sort()).toEqual(['c.txt', 'target-is-dir']);
  });

  it('does not draw from Math.random (the seeded stream of a run)', () => {
    const spy = jest.spyOn(Math, 'random');
    writeFileAtomic(path.join(dir, 'd.txt'), 'x');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('removeStaleTempFiles', () => {
  it("removes the temporary files of dead writers and keeps a live writer's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid as number; // exited: its pid is free
      fs.mkdirSync(path.join(dir, 'checkpoints'));
      const stale = path.join(dir, 'checkpoints', `last.safetensors.tmp-${dead}-0`);
      const live = path.join(dir, `metrics.json.tmp-${process.pid}-3`);
      for (const f of [stale, live, path.join(dir, 'last.safetensors')]) fs.writeFileSync(f, 'x');
      expect(removeStaleTempFiles(dir)).toEqual([stale]);
      expect(fs.readdirSync(dir).sort()).toEqual([
        'checkpoints',
        'last.safetensors',
        `metrics.json.tmp-${process.pid}-3`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
