/**
 * Node's timers take at most 2^31-1 ms: a longer delay fires after 1 ms instead (with a
 * TimeoutOverflowWarning), so a wait meant to be long turns into a busy loop. Every timer the
 * library creates goes through `clampTimerMs`; settings validation may use `MAX_TIMER_MS` as the
 * upper end of a range.
 */
export const MAX_TIMER_MS = 2 ** 31 - 2;

/** A delay Node's timers honour as written: within [0, MAX_TIMER_MS]; NaN counts as 0. */
export function clampTimerMs(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(MAX_TIMER_MS, ms);
}

/** A real sleep, clamped; it ends early, without error, when `signal` aborts (and clears its timer). */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, clampTimerMs(ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
