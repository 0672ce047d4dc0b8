import { describe, expect, it } from "vitest";
import { BucketModel, type StartTicket } from "../../../../src/client/rate-limit/bucket-model";
import { parseRateLimitHeaders } from "../../../../src/client/rate-limit/observation";

const t0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const options = { requestsPerSecond: 0, maxConcurrentRequests: 8, maxWaitMs: 30_000, minRateLimitDelayMs: 1_000 };
const model = (overrides: Partial<typeof options> = {}) => new BucketModel({ ...options, ...overrides });
const at = (status: number, headers: Record<string, string>, now: number) =>
  parseRateLimitHeaders(status, headers, now);

/** One request, started at `now` and answered 10 ms later: when may the next one go? */
function roundTrip(m: BucketModel, now: number, status: number, headers: Record<string, string>, random = 0): number {
  const ticket = m.started(now);
  m.answered(ticket, at(status, headers, now + 10), 0, random);
  return m.nextStartAt(now + 10);
}

describe("the bucket model", () => {
  it("allows one request until the first answer, then the smaller of maxConcurrentRequests and the bucket", () => {
    const m = model();
    expect(m.capacity()).toBe(1);
    roundTrip(m, t0, 200, {});
    expect(m.capacity()).toBe(8);
    roundTrip(m, t0 + 20, 200, { "x-ratelimit-limit": "2", "x-ratelimit-remaining": "1" });
    expect(m.capacity()).toBe(2);
  });

  it("lets requests go at once while the bucket has tokens, and counts the ones it sent", () => {
    const m = model();
    roundTrip(m, t0, 200, { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "2" });
    expect(m.nextStartAt(t0 + 10)).toBeLessThanOrEqual(t0 + 10);
    m.started(t0 + 10);
    m.started(t0 + 10);
    // Both tokens taken, nothing learned about the refill, no reset: a probe after a short pause.
    expect(m.nextStartAt(t0 + 10)).toBe(t0 + 210);
  });

  it.each([
    ["Retry-After in seconds", { "retry-after": "3" }, 3_000],
    ["Retry-After as an HTTP date", { "retry-after": new Date(t0 + 4_000).toUTCString() }, 3_990],
    ["x-ratelimit-reset as epoch seconds", { "x-ratelimit-reset": String(t0 / 1000 + 5) }, 4_990],
    ["Retry-After before x-ratelimit-reset", { "retry-after": "2", "x-ratelimit-reset": String(t0 / 1000 + 9) }, 2_000],
    ["a reset equal to now: the 1 s floor", { "x-ratelimit-reset": String(t0 / 1000) }, 1_000],
    ["a reset in the past: the 1 s floor", { "x-ratelimit-reset": String(t0 / 1000 - 30) }, 1_000],
    ["no header at all: twice the floor", {}, 2_000],
    ["an unparsable header: twice the floor", { "retry-after": "soon", "x-ratelimit-reset": "later" }, 2_000],
    ["a Retry-After of an hour: maxWaitMs", { "retry-after": "3600" }, 30_000],
    ["a Retry-After of 30 years: maxWaitMs", { "retry-after": "999999999" }, 30_000],
    ["a reset of 400 digits: ignored, twice the floor", { "x-ratelimit-reset": "9".repeat(400) }, 2_000],
  ])("holds every request after a 429 with %s", (_name, headers, waitMs) => {
    expect(roundTrip(model(), t0, 429, headers) - (t0 + 10)).toBe(waitMs);
  });

  it("adds up to 25% jitter to a 429's wait, within maxWaitMs", () => {
    expect(roundTrip(model(), t0, 429, { "retry-after": "4" }, 0.999) - (t0 + 10)).toBeCloseTo(4_999, 6);
    expect(roundTrip(model(), t0, 429, { "retry-after": "29" }, 0.999) - (t0 + 10)).toBe(30_000);
  });

  it("waits for a reset far ahead no longer than maxWaitMs, whatever maxWaitMs is", () => {
    const reset = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(t0 / 1000 + 3_600) };
    expect(roundTrip(model(), t0, 200, reset) - (t0 + 10)).toBe(30_000);
    expect(roundTrip(model({ maxWaitMs: 5_000 }), t0, 200, reset) - (t0 + 10)).toBe(5_000);
  });

  it("halves the learned rate once for the 429s of requests that were in flight together", () => {
    const m = model();
    // Learn a rate: 2 tokens a second, over 10 s.
    let now = t0;
    for (let i = 0; i < 20; i++) {
      now += 500;
      const ticket = m.started(now);
      m.answered(ticket, at(200, { "x-ratelimit-limit": "2", "x-ratelimit-remaining": "1" }, now), 0, 0);
    }
    const learned = m.learnedRequestsPerSecond();
    expect(learned).toBeGreaterThan(1.5);
    // Three requests in flight at once all meet a 429 (no headers, so nothing is learned again): one cut.
    const inFlight: StartTicket[] = [m.started(now), m.started(now), m.started(now)];
    for (const [i, ticket] of inFlight.entries()) {
      m.answered(ticket, at(429, {}, now + 10), inFlight.length - 1 - i, 0);
    }
    expect(m.learnedRequestsPerSecond()).toBeCloseTo(learned / 2, 6);
    // A request started after that cut that meets a 429 again: a new congestion, a second cut.
    const later = m.started(now + 5_000);
    m.answered(later, at(429, {}, now + 5_010), 0, 0);
    expect(m.learnedRequestsPerSecond()).toBeCloseTo(learned / 4, 6);
  });

  it("lets one request find out within maxWaitMs when 429s have cut the learned rate to almost nothing", () => {
    const m = model();
    let now = t0;
    for (let i = 0; i < 20; i++, now += 500) {
      m.answered(m.started(now), at(200, { "x-ratelimit-limit": "2", "x-ratelimit-remaining": "0" }, now), 0, 0);
    }
    // Twelve congestions in a row, each met by a request sent after the last cut: the rate falls by 2^12.
    for (let i = 0; i < 12; i++) {
      now = m.nextStartAt(now);
      m.answered(m.started(now), at(429, {}, now + 10), 0, 0);
      now += 10;
    }
    expect(m.learnedRequestsPerSecond()).toBeLessThan(0.001);
    // The refill alone would put the next token more than 15 minutes away.
    expect(1 / m.learnedRequestsPerSecond()).toBeGreaterThan(900);
    expect(m.nextStartAt(now) - now).toBeLessThanOrEqual(30_000);
  });

  it("spaces starts at a fixed requestsPerSecond", () => {
    const m = model({ requestsPerSecond: 4 });
    m.started(t0);
    expect(m.nextStartAt(t0)).toBe(t0 + 250);
  });

  it("never changes when only asked", () => {
    const m = model();
    roundTrip(m, t0, 200, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(t0 / 1000) });
    const first = m.nextStartAt(t0 + 50);
    expect([m.nextStartAt(t0 + 50), m.nextStartAt(t0 + 100), m.nextStartAt(t0 + 50)]).toEqual([first, first, first]);
  });
});
