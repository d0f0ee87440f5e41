// A backend start that cannot end a process silently. The threaded wasm module waits for its pthread workers, which
// are unref'd (they would otherwise keep every finished program alive): if a worker never answers, nothing holds the
// event loop and Node exits with code 0 in the middle of the program. A ref'd timer holds it until the start settles,
// and turns a stall into an error that says what to do.

/** How long a backend may take to start before it counts as stalled. */
export const BACKEND_START_TIMEOUT_MS = 120_000;

/** `start`, or an error naming `what` and `hint` if it has not settled after `ms` (the process stays alive meanwhile). */
export async function startWithin<T>(
  start: Promise<T>,
  what: string,
  hint: string,
  ms = BACKEND_START_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s; ${hint}`)), ms);
  });
  try {
    return await Promise.race([start, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
