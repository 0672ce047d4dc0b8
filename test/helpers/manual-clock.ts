import type { Clock } from "../../src/client/clock";

/**
 * A clock whose sleeps wait until the test advances time, so a test can act in the middle of a wait
 * and timers that run alongside I/O (a deadline) don't fire by themselves. Aborted sleeps end at once.
 */
export class ManualClock implements Clock {
  current = Date.UTC(2026, 10, 23, 12, 0, 0);
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = { at: this.current + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      });
    });
  }

  /** Timers not yet fired nor aborted. */
  pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.resolve();
    }
    this.current = target;
    await flush();
  }
}

const flush = () => new Promise((r) => setImmediate(r));
