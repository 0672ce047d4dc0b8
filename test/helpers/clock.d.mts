import type { Clock } from "../../src/client/clock";

/** 2026-11-23 12:00:00 UTC: where every test clock starts unless told. */
export declare const TEST_EPOCH: number;

/** The one test clock (clock.mjs, shared with bench/pacer-sim.mjs). */
export declare class TestClock implements Clock {
  /** A clock whose sleeps return at once, moving time by their length. */
  static instant(start?: number): TestClock;
  constructor(start?: number);
  /** The time, in ms since the epoch; a test may set it. */
  current: number;
  /** Every sleep asked for, in ms. */
  readonly sleeps: number[];
  /** Bound, so it can be handed on as a plain `() => number`. */
  readonly now: () => number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Sleeps not yet ended nor aborted. */
  pending(): number;
  /** Moves time by `ms`, firing the sleeps due by then, each at its own time. */
  advance(ms: number): Promise<void>;
  /** Virtual time: whenever every promise has settled and `done()` is false, jumps to the next sleep's end. */
  runUntil(done: () => boolean): Promise<void>;
}
