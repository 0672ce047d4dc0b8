import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../../src/client/clock";
import { MAX_TIMER_MS, clampTimerMs } from "../../../src/client/timers";

describe("timer values", () => {
  it.each([
    [-5, 0],
    [Number.NaN, 0],
    [1_500, 1_500],
    [2 ** 31 - 1, MAX_TIMER_MS],
    [2 ** 40, MAX_TIMER_MS],
    [Infinity, MAX_TIMER_MS],
  ])("clamps %d ms to %d ms, below Node's 2^31-1 limit", (ms, expected) => {
    expect(clampTimerMs(ms)).toBe(expected);
    expect(MAX_TIMER_MS).toBeLessThan(2 ** 31 - 1);
  });
});

describe("the system clock's sleep", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not wake after 1 ms when asked to wait longer than Node's timers can", async () => {
    let woke = false;
    void systemClock.sleep(2 ** 40).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(woke).toBe(true);
  });

  it("ends early, and clears its timer, when its signal aborts", async () => {
    const controller = new AbortController();
    let woke = false;
    void systemClock.sleep(60_000, controller.signal).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(woke).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
