import { describe, expect, it } from "vitest";
import { RequestPacer } from "../../../src/client/request-pacer";
import { FakeClock } from "../../helpers/fake-clock";

describe("the request pacer", () => {
  it("starts with one request until the first answer arrives, to learn the bucket", async () => {
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8 }, new FakeClock());
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
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 2 }, new FakeClock());
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
    const pacer = new RequestPacer({ requestsPerSecond: 4, maxConcurrentRequests: 8 }, clock);
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
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8 }, clock);
    const release = await pacer.acquire();
    pacer.observe({ "x-ratelimit-limit": "2", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000 + 3) });
    release();
    const start = clock.now();
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(3_000);
  });

  it("waits a short pause when the reported reset is the current second", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8 }, clock);
    const release = await pacer.acquire();
    pacer.observe({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000) });
    release();
    const start = clock.now();
    (await pacer.acquire())();
    expect(clock.now() - start).toBe(200);
  });

  it("holds every caller after a 429 instead of letting them stampede", async () => {
    const clock = new FakeClock();
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8 }, clock);
    pacer.pause(2_000);
    const start = clock.now();
    await Promise.all([1, 2, 3].map(async () => (await pacer.acquire())()));
    expect(clock.now() - start).toBeGreaterThanOrEqual(2_000);
  });

  it("keeps concurrency within the bucket size Auth0 reports", async () => {
    const pacer = new RequestPacer({ requestsPerSecond: 0, maxConcurrentRequests: 8 }, new FakeClock());
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
});
