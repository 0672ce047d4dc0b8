import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/client/clock";
import { RequestPacer } from "../../../src/client/request-pacer";
import { TokenBucket } from "../../../src/emulator/rate-limiter";
import { FakeClock } from "../../helpers/fake-clock";

/** A clock whose sleeps wait until the test advances time, so a test can act in the middle of a wait. */
class ManualClock implements Clock {
  current = Date.UTC(2026, 10, 23, 12, 0, 0);
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.current + Math.max(0, ms), resolve }));
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

/** Virtual time for many concurrent callers: whenever every promise has settled, jump to the next timer. */
class VirtualClock implements Clock {
  current: number;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  constructor(start: number) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve }));
  }
  async runUntil(done: () => boolean): Promise<void> {
    for (;;) {
      await flush();
      if (done()) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error("deadlock: nothing to wait for");
      this.current = Math.max(this.current, next.at);
      next.resolve();
    }
  }
}

/**
 * `count` requests queued at once, as when the engine creates many resources in parallel, each sent
 * as the client sends it: through the pacer, 10 ms each way, and after a 429 a pause, then again.
 */
async function driveConcurrently(
  pacer: RequestPacer,
  clock: VirtualClock,
  bucket: TokenBucket,
  count: number,
): Promise<{ seconds: number; rejected: number }> {
  const start = clock.now();
  let rejected = 0;
  let done = 0;
  const send = async (i: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const release = await pacer.acquire();
      await clock.sleep(10);
      const decision = bucket.take();
      await clock.sleep(10);
      pacer.observe(headers(decision));
      if (decision.allowed) return release();
      rejected++;
      pacer.pause(1_000);
      release();
      const delay = 1_000 + ((i * 37 + attempt * 101) % 250);
      pacer.pause(delay);
      await clock.sleep(delay);
    }
  };
  for (let i = 0; i < count; i++) void send(i).then(() => done++);
  await clock.runUntil(() => done === count);
  return { seconds: (clock.now() - start) / 1000, rejected };
}

function headers(d: { limit: number; remaining: number; reset: number }): Record<string, string> {
  return {
    "x-ratelimit-limit": String(d.limit),
    "x-ratelimit-remaining": String(d.remaining),
    "x-ratelimit-reset": String(d.reset),
  };
}

/**
 * Sends `count` requests one after another through the pacer to the emulator's token bucket, as the
 * client does (observe the answer; on a 429, pause and send again). Returns the time taken and the 429s.
 */
async function drive(
  pacer: RequestPacer,
  clock: FakeClock,
  bucket: TokenBucket,
  count: number,
): Promise<{ seconds: number; rejected: number }> {
  const start = clock.now();
  let rejected = 0;
  for (let served = 0; served < count;) {
    const release = await pacer.acquire();
    // 10 ms on the way there and back, as over a network.
    await clock.sleep(10);
    const decision = bucket.take();
    await clock.sleep(10);
    pacer.observe(headers(decision));
    if (decision.allowed) served++;
    else {
      rejected++;
      pacer.pause(1_000);
    }
    release();
  }
  return { seconds: (clock.now() - start) / 1000, rejected };
}

describe("the request pacer", () => {
  it("starts with one request until the first answer arrives, to learn the bucket", async () => {
    const pacer = new RequestPacer(
      { requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 },
      new FakeClock(),
    );
    const first = await pacer.acquire();
    let secondStarted = false;
    const second = pacer.acquire().then((release) => {
      secondStarted = true;
      return release;
    });
    await new Promise((r) => setImmediate(r));
    expect(secondStarted).toBe(false);
    pacer.observe({});
    first();
    (await second)();
    expect(secondStarted).toBe(true);
  });

  it("never lets more than maxConcurrentRequests run at once", async () => {
    const pacer = new RequestPacer(
      { requestsPerSecond: 0, maxConcurrentRequests: 2, maxWaitMs: 30_000 },
      new FakeClock(),
    );
    (await pacer.acquire())();
    pacer.observe({});
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await pacer.acquire();
        peak = Math.max(peak, ++running);
        await new Promise((r) => setImmediate(r));
        running--;
        release();
      }),
    );
    expect(peak).toBe(2);
  });

  it("spaces request starts at a fixed requestsPerSecond", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 4, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const release = await pacer.acquire();
      starts.push(clock.now());
      release();
    }
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 250, 500, 750, 1000]);
  });

  it("waits for x-ratelimit-reset when Auth0 reports an empty bucket", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const release = await pacer.acquire();
    pacer.observe({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(clock.now() / 1000 + 3),
    });
    release();
    const start = clock.now();
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(3_000);
  });

  it("waits for a reset far ahead no longer than maxWaitMs, then lets one request find out", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const release = await pacer.acquire();
    // A clock skewed by an hour, or a daily quota: Auth0's reset is an hour away.
    pacer.observe({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(clock.now() / 1000 + 3_600),
    });
    release();
    const start = clock.now();
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(30_000);
    // That probe went unanswered here; the next request waits the short pause, not another hour.
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(30_200);
  });

  it("waits a short pause when the reported reset is the current second", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const release = await pacer.acquire();
    pacer.observe({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000) });
    release();
    const start = clock.now();
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(200);
  });

  it("holds every caller after a 429 instead of letting them stampede", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    pacer.pause(2_000);
    const start = clock.now();
    await Promise.all([1, 2, 3].map(async () => (await pacer.acquire())()));
    expect(clock.now() - start).toBeGreaterThanOrEqual(2_000);
  });

  it("keeps concurrency within the bucket size Auth0 reports", async () => {
    const pacer = new RequestPacer(
      { requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 },
      new FakeClock(),
    );
    (await pacer.acquire())();
    pacer.observe({ "x-ratelimit-limit": "1", "x-ratelimit-remaining": "50" });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const release = await pacer.acquire();
        peak = Math.max(peak, ++running);
        await new Promise((r) => setImmediate(r));
        running--;
        release();
      }),
    );
    expect(peak).toBe(1);
  });

  it("learns the refill rate from the headers, as a lower bound", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    await drive(pacer, clock, new TokenBucket({ burst: 2, perSecond: 2 }, () => clock.now(), "next-token"), 20);
    expect(pacer.learnedRequestsPerSecond()).toBeGreaterThan(1.5);
    expect(pacer.learnedRequestsPerSecond()).toBeLessThanOrEqual(2);
  });

  it("keeps to a 2/s bucket at its rate, without a 429, when resets name the second a token is back", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const bucket = new TokenBucket({ burst: 2, perSecond: 2 }, () => clock.now(), "next-token");
    const { seconds, rejected } = await drive(pacer, clock, bucket, 60);
    expect(rejected).toBe(0);
    // The bound: 2 at once, then one every 500 ms.
    expect(seconds).toBeLessThanOrEqual(1.05 * 29);
  });

  it("keeps near the rate with few 429s when resets round down to the current second", async () => {
    // Auth0 is reported to answer an empty bucket with a reset equal to the current second. Going at
    // every such reset (or probing every 200 ms) meets a 429 almost every time; the learned refill does not.
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const bucket = new TokenBucket({ burst: 2, perSecond: 2 }, () => clock.now(), "current-second");
    const { seconds, rejected } = await drive(pacer, clock, bucket, 60);
    expect(rejected).toBeLessThanOrEqual(3);
    expect(seconds).toBeLessThanOrEqual(1.2 * 29);
  });

  it("drains an enterprise bucket (burst 50, 16/s) at its rate: no wait for whole-second resets", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const bucket = new TokenBucket({ burst: 50, perSecond: 16 }, () => clock.now(), "next-token");
    const { seconds, rejected } = await driveConcurrently(pacer, clock, bucket, 100);
    expect(rejected).toBe(0);
    // The bound: 50 at once, then 50 more at 16/s = 3.125 s. Waiting for whole-second resets took 3.9 s.
    expect(seconds).toBeLessThanOrEqual(1.1 * 3.125);
  });

  it("keeps many queued requests near a 2/s rate with few 429s when resets round down", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const bucket = new TokenBucket({ burst: 2, perSecond: 2 }, () => clock.now(), "current-second");
    const { seconds, rejected } = await driveConcurrently(pacer, clock, bucket, 100);
    // Probing 200 ms after each empty answer met 49 429s and took 67 s.
    expect(rejected).toBeLessThanOrEqual(3);
    expect(seconds).toBeLessThanOrEqual(1.15 * 49);
  });

  it("halves the learned rate after a 429, once per 429 however often it is reported", async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0, 137));
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    await drive(pacer, clock, new TokenBucket({ burst: 2, perSecond: 2 }, () => clock.now(), "next-token"), 20);
    const learned = pacer.learnedRequestsPerSecond();
    pacer.pause(1_000);
    pacer.pause(1_300);
    expect(pacer.learnedRequestsPerSecond()).toBeCloseTo(learned / 2, 6);
  });

  it("lets a queued request start as soon as an answer shows a token, without waiting out its wait", async () => {
    const clock = new ManualClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 }, clock);
    const reset = String(Math.ceil(clock.now() / 1000) + 2);
    const first = await pacer.acquire();
    pacer.observe({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "1", "x-ratelimit-reset": reset });
    const second = await pacer.acquire(); // the one token left; `first` is still in flight
    first();
    // The bucket looks empty: the next caller waits for the reset, two seconds away.
    let thirdStarted = false;
    const third = pacer.acquire().then((release) => {
      thirdStarted = true;
      return release;
    });
    await clock.advance(100);
    expect(thirdStarted).toBe(false);
    // `second`'s answer shows that tokens came back meanwhile: the waiting caller goes at once.
    pacer.observe({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "3", "x-ratelimit-reset": reset });
    second();
    await clock.advance(0);
    expect(thirdStarted).toBe(true);
    (await third)();
  });
});
