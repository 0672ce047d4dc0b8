import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/client/clock";
import { RequestPacer, StartDeadlineError, type Permit } from "../../../src/client/request-pacer";
import { TokenBucket } from "../../../src/emulator/rate-limiter";
import { TestClock } from "../../helpers/clock.mjs";

const flush = () => new Promise((r) => setImmediate(r));

const FAR = Number.MAX_SAFE_INTEGER;
const options = { requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000 };
const pacerOn = (clock: Clock, overrides: Partial<typeof options> = {}) =>
  new RequestPacer({ ...options, ...overrides }, clock, () => 0);
const answer = (status: number, headers: Record<string, string> = {}) => ({
  kind: "response" as const,
  status,
  headers,
});
/** An answer reporting an empty bucket of 2 that refills `resetInSeconds` from now. */
const emptyBucket = (clock: Clock, resetInSeconds: number) =>
  answer(200, {
    "x-ratelimit-limit": "2",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(clock.now() / 1000 + resetInSeconds),
  });
/** Waits for leave to send, with no deadline to speak of. */
const permit = (pacer: RequestPacer): Promise<Permit> => pacer.permit(FAR);

/** A pacer on `clock` in front of the emulator's token bucket: the pair the drives below send through. */
interface OnBucket {
  readonly clock: TestClock;
  readonly pacer: RequestPacer;
  readonly bucket: TokenBucket;
}
type Driven = { seconds: number; rejected: number };

/**
 * A bucket of `burst` and `perSecond`, reset headers rounded as `rounding`, with a clock that starts
 * 137 ms past a whole second (so resets never fall on one): instant sleeps for one caller at a time,
 * held sleeps (virtual time) for many.
 */
function onBucket(
  limit: { burst: number; perSecond: number },
  rounding: "next-token" | "current-second",
  sleeps: "instant" | "virtual" = "instant",
): OnBucket {
  const start = Date.UTC(2026, 10, 23, 12, 0, 0, 137);
  const clock = sleeps === "instant" ? TestClock.instant(start) : new TestClock(start);
  return { clock, pacer: pacerOn(clock), bucket: new TokenBucket(limit, () => clock.now(), rounding) };
}

/**
 * `count` requests queued at once, as when the engine creates many resources in parallel, each sent
 * as the client sends it: leave from the pacer, 10 ms each way, the outcome reported, and after a
 * 429 the same again (the pacer holds it for the 429's wait).
 */
async function driveConcurrently({ pacer, clock, bucket }: OnBucket, count: number): Promise<Driven> {
  const start = clock.now();
  let rejected = 0;
  let done = 0;
  const send = async (): Promise<void> => {
    for (;;) {
      const leave = await permit(pacer);
      await clock.sleep(10);
      const decision = bucket.take();
      await clock.sleep(10);
      leave.report(answer(decision.allowed ? 201 : 429, headers(decision)));
      if (decision.allowed) return;
      rejected++;
    }
  };
  for (let i = 0; i < count; i++) void send().then(() => done++);
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
 * client does (report the answer; on a 429, send again). Returns the time taken and the 429s.
 */
async function drive({ pacer, clock, bucket }: OnBucket, count: number): Promise<Driven> {
  const start = clock.now();
  let rejected = 0;
  for (let served = 0; served < count;) {
    const leave = await permit(pacer);
    // 10 ms on the way there and back, as over a network.
    await clock.sleep(10);
    const decision = bucket.take();
    await clock.sleep(10);
    leave.report(answer(decision.allowed ? 201 : 429, headers(decision)));
    if (decision.allowed) served++;
    else rejected++;
  }
  return { seconds: (clock.now() - start) / 1000, rejected };
}

/** The most of `count` requests queued at once that the pacer lets run together, each answered 200. */
async function peakConcurrency(pacer: RequestPacer, count: number): Promise<number> {
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      const leave = await permit(pacer);
      peak = Math.max(peak, ++running);
      await flush();
      running--;
      leave.report(answer(200));
    }),
  );
  return peak;
}

/** Whether a promise has settled by now. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await flush();
  return done;
}

describe("the request pacer", () => {
  it("starts with one request until the first answer arrives, to learn the bucket", async () => {
    const pacer = pacerOn(TestClock.instant());
    const first = await permit(pacer);
    const second = permit(pacer);
    expect(await settled(second)).toBe(false);
    first.report(answer(200));
    (await second).report(answer(200));
  });

  it("never lets more than maxConcurrentRequests run at once", async () => {
    const pacer = pacerOn(TestClock.instant(), { maxConcurrentRequests: 2 });
    (await permit(pacer)).report(answer(200));
    expect(await peakConcurrency(pacer, 10)).toBe(2);
  });

  it("frees a slot once however often the outcome is reported", async () => {
    const pacer = pacerOn(TestClock.instant(), { maxConcurrentRequests: 2 });
    (await permit(pacer)).report(answer(200));
    const first = await permit(pacer);
    first.report(answer(200));
    first.report(answer(200));
    first.report({ kind: "network", code: "ECONNRESET" });
    const held = [await permit(pacer), await permit(pacer)];
    expect(await settled(permit(pacer))).toBe(false);
    for (const leave of held) leave.report(answer(200));
  });

  it("spaces request starts at a fixed requestsPerSecond", async () => {
    const clock = TestClock.instant();
    const pacer = pacerOn(clock, { requestsPerSecond: 4 });
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const leave = await permit(pacer);
      starts.push(clock.now());
      leave.report(answer(200));
    }
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 250, 500, 750, 1000]);
  });

  it("waits for x-ratelimit-reset when Auth0 reports an empty bucket", async () => {
    const clock = TestClock.instant();
    const pacer = pacerOn(clock);
    (await permit(pacer)).report(emptyBucket(clock, 3));
    const start = clock.now();
    await permit(pacer);
    expect(clock.now() - start).toBe(3_000);
  });

  it("waits for a reset far ahead no longer than maxWaitMs, then lets one request find out", async () => {
    const clock = TestClock.instant();
    const pacer = pacerOn(clock);
    // A clock skewed by an hour, or a daily quota: Auth0's reset is an hour away.
    (await permit(pacer)).report(emptyBucket(clock, 3_600));
    const start = clock.now();
    await permit(pacer);
    expect(clock.now() - start).toBe(30_000);
    // That probe went unanswered here; the next request waits the short pause, not another hour.
    await permit(pacer);
    expect(clock.now() - start).toBe(30_200);
  });

  it("waits a short pause when the reported reset is the current second", async () => {
    const clock = TestClock.instant();
    const pacer = pacerOn(clock);
    (await permit(pacer)).report(
      answer(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000) }),
    );
    const start = clock.now();
    await permit(pacer);
    expect(clock.now() - start).toBe(200);
  });

  it("holds every caller after a 429, the one that met it included, for the one wait it asks for", async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 23, 12, 0, 0));
    const pacer = pacerOn(clock);
    const start = clock.now();
    (await permit(pacer)).report(answer(429, { "retry-after": "2" }));
    const starts: number[] = [];
    let done = 0;
    for (let i = 0; i < 3; i++) {
      void permit(pacer).then((leave) => {
        starts.push(clock.now() - start);
        leave.report(answer(200));
        done++;
      });
    }
    await clock.runUntil(() => done === 3);
    // The first goes at the end of the wait, not at the end of a second one; the others go when its answer shows a bucket.
    expect(starts[0]).toBe(2_000);
    expect(Math.max(...starts)).toBeLessThanOrEqual(2_200 * 3);
  });

  it("keeps concurrency within the bucket size Auth0 reports", async () => {
    const pacer = pacerOn(TestClock.instant());
    (await permit(pacer)).report(answer(200, { "x-ratelimit-limit": "1", "x-ratelimit-remaining": "50" }));
    expect(await peakConcurrency(pacer, 4)).toBe(1);
  });

  it("turns a request away at once when the rate limit would hold it beyond its deadline", async () => {
    const clock = TestClock.instant();
    const pacer = pacerOn(clock);
    (await permit(pacer)).report(
      answer(200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000 + 20) }),
    );
    const start = clock.now();
    const error = await pacer.permit(start + 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartDeadlineError);
    expect((error as StartDeadlineError).earliestStartAt).toBe(start + 20_000);
    expect(clock.now()).toBe(start);
    // A request with time enough still goes, at the reset.
    await pacer.permit(start + 20_000);
    expect(clock.now()).toBe(start + 20_000);
  });

  it("keeps a request whose deadline comes first while an answer pending may still bring its start forward", async () => {
    const clock = new TestClock();
    const pacer = pacerOn(clock);
    const bucket = (remaining: number) => ({
      "x-ratelimit-limit": "10",
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(clock.now() / 1000 + 20),
    });
    (await permit(pacer)).report(answer(200, bucket(2)));
    const a = await permit(pacer);
    const b = await permit(pacer);
    // `a` says the bucket is empty until the reset, 20 s away; `b` is still in flight.
    a.report(answer(200, bucket(0)));
    const c = pacer.permit(clock.now() + 5_000);
    await clock.advance(100);
    expect(await settled(c)).toBe(false);
    // `b`'s answer shows tokens: `c` goes, well within its deadline.
    b.report(answer(200, bucket(5)));
    await clock.advance(0);
    (await c).report(answer(200, bucket(4)));
  });

  it("turns a request away at its deadline when the pending answer did not help", async () => {
    const clock = new TestClock();
    const pacer = pacerOn(clock);
    const empty = { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" };
    (await permit(pacer)).report(answer(200, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "2" }));
    const a = await permit(pacer);
    await permit(pacer); // in flight until the end of the test
    a.report(answer(200, { ...empty, "x-ratelimit-reset": String(clock.now() / 1000 + 20) }));
    const c = pacer.permit(clock.now() + 5_000);
    const rejected = expect(c).rejects.toBeInstanceOf(StartDeadlineError);
    await clock.advance(5_000);
    expect(await settled(c)).toBe(false);
    await clock.advance(1);
    await rejected;
  });

  it("turns away a queued request whose deadline passed behind a busy slot when the slot frees", async () => {
    const clock = new TestClock();
    const pacer = pacerOn(clock, { maxConcurrentRequests: 1 });
    (await permit(pacer)).report(answer(200));
    const busy = await permit(pacer);
    const queued = pacer.permit(clock.now() + 5_000);
    await clock.advance(6_000);
    expect(await settled(queued)).toBe(false);
    busy.report(answer(200));
    await expect(queued).rejects.toBeInstanceOf(StartDeadlineError);
  });

  it("learns the refill rate from the headers, as a lower bound", async () => {
    const run = onBucket({ burst: 2, perSecond: 2 }, "next-token");
    await drive(run, 20);
    expect(run.pacer.learnedRequestsPerSecond()).toBeGreaterThan(1.5);
    expect(run.pacer.learnedRequestsPerSecond()).toBeLessThanOrEqual(2);
  });

  it("keeps to a 2/s bucket at its rate, without a 429, when resets name the second a token is back", async () => {
    const { seconds, rejected } = await drive(onBucket({ burst: 2, perSecond: 2 }, "next-token"), 60);
    expect(rejected).toBe(0);
    // The bound: 2 at once, then one every 500 ms.
    expect(seconds).toBeLessThanOrEqual(1.05 * 29);
  });

  it("keeps near the rate with few 429s when resets round down to the current second", async () => {
    // Auth0 is reported to answer an empty bucket with a reset equal to the current second. Going at
    // every such reset (or probing every 200 ms) meets a 429 almost every time; the learned refill does not.
    const { seconds, rejected } = await drive(onBucket({ burst: 2, perSecond: 2 }, "current-second"), 60);
    expect(rejected).toBeLessThanOrEqual(3);
    expect(seconds).toBeLessThanOrEqual(1.2 * 29);
  });

  it("drains an enterprise bucket (burst 50, 16/s) at its rate: no wait for whole-second resets", async () => {
    const run = onBucket({ burst: 50, perSecond: 16 }, "next-token", "virtual");
    const { seconds, rejected } = await driveConcurrently(run, 100);
    expect(rejected).toBe(0);
    // The bound: 50 at once, then 50 more at 16/s = 3.125 s. Waiting for whole-second resets took 3.9 s.
    expect(seconds).toBeLessThanOrEqual(1.1 * 3.125);
  });

  it("keeps many queued requests near a 2/s rate with few 429s when resets round down", async () => {
    const run = onBucket({ burst: 2, perSecond: 2 }, "current-second", "virtual");
    const { seconds, rejected } = await driveConcurrently(run, 100);
    // Probing 200 ms after each empty answer met 49 429s and took 67 s.
    expect(rejected).toBeLessThanOrEqual(3);
    expect(seconds).toBeLessThanOrEqual(1.15 * 49);
  });

  it("lets a queued request start as soon as an answer shows a token, without waiting out its wait", async () => {
    const clock = new TestClock();
    const pacer = pacerOn(clock);
    const reset = String(Math.ceil(clock.now() / 1000) + 2);
    const first = await permit(pacer);
    first.report(answer(200, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "2", "x-ratelimit-reset": reset }));
    const second = await permit(pacer);
    const third = await permit(pacer); // the last token; `second` is still in flight
    second.report(answer(200, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "1", "x-ratelimit-reset": reset }));
    // The bucket looks empty: the next caller waits.
    const fourth = permit(pacer);
    await clock.advance(100);
    expect(await settled(fourth)).toBe(false);
    // `third`'s answer shows that tokens came back meanwhile: the waiting caller goes at once.
    third.report(answer(200, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "3", "x-ratelimit-reset": reset }));
    await clock.advance(0);
    expect(await settled(fourth)).toBe(true);
    (await fourth).report(answer(200));
  });
});
