import { sleepFor } from "./timers";

/** Time, injected so tests record waits instead of sleeping. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or earlier when `signal` aborts (a clock may ignore the signal). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, signal),
};
