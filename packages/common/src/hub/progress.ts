import { SingleBar } from 'cli-progress';

/** Receives the progress of one file download at a time. */
export interface DownloadProgress {
  /** A download of `file` starts; `done` bytes are already there (a resumed `.part`). */
  start(file: string, total: number, done: number): void;
  /** `done` bytes of the current file are on disk. */
  update(done: number): void;
  /** The current file is complete (or failed). */
  stop(): void;
}

/** Reports nothing (tests, quiet callers). */
export const silentProgress: DownloadProgress = { start() {}, update() {}, stop() {} };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Progress as plain lines, for logs and CI where a redrawn bar prints nothing useful: a line when a file starts, at
 * most one every `intervalMs` while it runs, and one when it ends.
 */
export function lineProgress(
  write: (line: string) => void,
  opts: { intervalMs?: number; now?: () => number } = {},
): DownloadProgress {
  const intervalMs = opts.intervalMs ?? 5000;
  const now = opts.now ?? Date.now;
  let file = '';
  let total = 0;
  let current = 0;
  let startedAt = 0;
  let startDone = 0;
  let lastLine = 0;
  const line = (prefix: string) => {
    const pct = total > 0 ? ` (${((100 * current) / total).toFixed(0)}%)` : '';
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? `, ${formatBytes(Math.round((current - startDone) / seconds))}/s` : '';
    write(`${prefix} ${file}: ${formatBytes(current)} / ${formatBytes(total)}${pct}${rate}`);
  };
  return {
    start(f, t, done) {
      file = f;
      total = t;
      current = startDone = done;
      startedAt = lastLine = now();
      write(`download ${file} (${formatBytes(total)}${done > 0 ? `, resuming at ${formatBytes(done)}` : ''})`);
    },
    update(done) {
      current = done;
      if (now() - lastLine >= intervalMs) {
        lastLine = now();
        line('  ...');
      }
    },
    stop() {
      line(current >= total ? '  done' : '  stopped');
    },
  };
}

/** A redrawn cli-progress bar per file, for an interactive terminal. */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): DownloadProgress {
  let bar: SingleBar | undefined;
  let startedAt = 0;
  let startDone = 0;
  return {
    start(file, total, done) {
      bar = new SingleBar({
        stream,
        format: `{file} [{bar}] {percentage}% | {done} / {size} | {speed}/s`,
        hideCursor: true,
        etaBuffer: 50,
      });
      bar.start(total, done, { file, done: formatBytes(done), size: formatBytes(total), speed: '-' });
      startedAt = Date.now();
      startDone = done;
    },
    update(done) {
      const seconds = (Date.now() - startedAt) / 1000;
      const speed = seconds > 0 ? formatBytes(Math.round((done - startDone) / seconds)) : '-';
      bar?.update(done, { done: formatBytes(done), speed });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** A bar in a TTY, periodic lines otherwise (both on stderr, so stdout stays clean for results). */
export function consoleProgress(): DownloadProgress {
  return process.stderr.isTTY ? barProgress(process.stderr) : lineProgress((l) => process.stderr.write(`${l}\n`));
}
