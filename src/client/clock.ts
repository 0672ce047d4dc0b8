import { clampTimerMs } from "../config/defaults";

/** Time, injected so tests record waits instead of sleeping. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Clamped: a delay over 2^31-1 ms would fire after 1 ms with a TimeoutOverflowWarning.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, clampTimerMs(ms))),
};
