// Fault injection for crash tests, read in this one place: a test names a write at which the process dies (SIGKILL,
// as an unlucky machine would) or at which the filesystem fails (a full disk, a read-only mount), without root's
// permission bypass getting in the way.
//
//   RESEARCH_FAULT_KILL_AT=<write>[@<n>]          SIGKILL at the n-th (default 1st) write of that name
//   RESEARCH_FAULT_ERROR_AT=<write>[@<n>]:<CODE>  that write fails with the errno CODE (ENOSPC, EROFS, EACCES, ...)
//   RESEARCH_FAULT_TRACE=1                        prints `fault point <write>@<n>` on stderr at every write
//
// A write's name is its file's base name (`last.safetensors`, `metrics.json`, `run.json`) or `events` for a
// TensorBoard event flush. The fault strikes after the data went to its temporary name and before the rename.

const counts = new Map<string, number>();

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EIO: 'i/o error',
};

/** `<write>[@<n>]` -> whether this is that write's n-th occurrence. */
function strikes(spec: string, write: string, count: number): boolean {
  const at = /^(.+?)(?:@(\d+))?$/.exec(spec);
  return at !== null && at[1] === write && count === Number(at[2] ?? 1);
}

/** Called by every guarded write: dies or throws when the environment names this occurrence of `write`. */
export function faultPoint(write: string, file: string): void {
  const kill = process.env.RESEARCH_FAULT_KILL_AT;
  const error = process.env.RESEARCH_FAULT_ERROR_AT;
  const trace = process.env.RESEARCH_FAULT_TRACE === '1';
  if (!kill && !error && !trace) return;
  const count = (counts.get(write) ?? 0) + 1;
  counts.set(write, count);
  if (trace) process.stderr.write(`fault point ${write}@${count}\n`);
  if (kill && strikes(kill, write, count)) {
    process.kill(process.pid, 'SIGKILL');
  }
  const [spec, code] = error ? [error.slice(0, error.lastIndexOf(':')), error.slice(error.lastIndexOf(':') + 1)] : [];
  if (spec && code && strikes(spec, write, count)) {
    // Shaped like Node's own fs errors, so callers handle it as they would a real one.
    const err = new Error(`${code}: ${ERRNO_TEXT[code] ?? 'injected fault'}, write '${file}'`) as NodeJS.ErrnoException;
    err.code = code;
    err.syscall = 'write';
    err.path = file;
    throw err;
  }
}

/** Forgets the counts (tests that inject faults in-process, one after another). */
export function resetFaultCounts(): void {
  counts.clear();
}
