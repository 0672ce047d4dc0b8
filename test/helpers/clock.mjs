// The one test clock, shared by the tests (TypeScript, through clock.d.mts) and bench/pacer-sim.mjs
// (plain node). It implements src/client/clock.ts's Clock: `now()` and `sleep(ms, signal)`.
//
// Two ways to sleep:
// - `new TestClock()`: a sleep waits until the test moves time, with `advance(ms)` (timers due by
//   then fire in order, each at its own time) or `runUntil(done)` (virtual time for many callers:
//   whenever every promise has settled, jump to the next timer). A test can act in the middle of a
//   wait, and timers that run alongside I/O (a deadline) don't fire by themselves.
// - `TestClock.instant()`: a sleep returns at once and moves time by its length, so retry tests
//   never wait for real.
// Either way every sleep is recorded in `sleeps`, and an aborted sleep ends at once.

/** 2026-11-23 12:00:00 UTC: where every test clock starts unless told. */
export const TEST_EPOCH = Date.UTC(2026, 10, 23, 12, 0, 0);

const flush = () => new Promise((resolve) => setImmediate(resolve));

export class TestClock {
  /** A clock whose sleeps return at once, moving time by their length. */
  static instant(start = TEST_EPOCH) {
    const clock = new TestClock(start);
    clock.#instant = true;
    return clock;
  }

  #instant = false;
  /** Pending sleeps, in the order they were asked for (a stable sort keeps that order among equal times). */
  #timers = [];

  constructor(start = TEST_EPOCH) {
    /** The time, in ms since the epoch; a test may set it. */
    this.current = start;
    /** Every sleep asked for, in ms. */
    this.sleeps = [];
    /** Bound, so it can be handed on as a plain `() => number` (the emulator's `now` option). */
    this.now = () => this.current;
  }

  sleep(ms, signal) {
    this.sleeps.push(ms);
    if (this.#instant) {
      this.current += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = { at: this.current + Math.max(0, ms), resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        resolve();
      });
    });
  }

  /** Sleeps not yet ended nor aborted. */
  pending() {
    return this.#timers.length;
  }

  /** Moves time by `ms`, firing the sleeps due by then, each at its own time. */
  async advance(ms) {
    const target = this.current + ms;
    for (;;) {
      await flush();
      const next = this.#next();
      if (next === undefined || next.at > target) break;
      this.#fire(next);
    }
    this.current = target;
    await flush();
  }

  /** Virtual time: whenever every promise has settled and `done()` is false, jumps to the next sleep's end. */
  async runUntil(done) {
    for (;;) {
      await flush();
      if (done()) return;
      const next = this.#next();
      if (next === undefined) throw new Error("deadlock: nothing to wait for");
      this.#fire(next);
    }
  }

  #next() {
    this.#timers.sort((a, b) => a.at - b.at);
    return this.#timers[0];
  }

  #fire(timer) {
    this.#timers.shift();
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }
}
