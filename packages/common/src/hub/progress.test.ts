import { formatBytes, lineProgress } from './progress';

describe('lineProgress', () => {
  it('prints a start line, at most one line per interval, and an end line', () => {
    const lines: string[] = [];
    let t = 0;
    const p = lineProgress((l) => lines.push(l), { intervalMs: 1000, now: () => t });
    p.start('a.parquet', 4096, 1024);
    t = 500;
    p.update(2048); // within the interval: silent
    t = 1000;
    p.update(3072);
    t = 2000;
    p.update(4096);
    p.stop();
    expect(lines).toEqual([
      'download a.parquet (4.0 KiB, resuming at 1.0 KiB)',
      '  ... a.parquet: 3.0 KiB / 4.0 KiB (75%), 2.0 KiB/s',
      '  ... a.parquet: 4.0 KiB / 4.0 KiB (100%), 1.5 KiB/s',
      '  done a.parquet: 4.0 KiB / 4.0 KiB (100%), 1.5 KiB/s',
    ]);
  });

  it('says "stopped" for a file that did not complete', () => {
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), { now: () => 0 });
    p.start('b.bin', 100, 0);
    p.update(40);
    p.stop();
    expect(lines[lines.length - 1]).toBe('  stopped b.bin: 40 B / 100 B (40%)');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});
