import { describe, expect, it } from "vitest";
import {
  decideRetry,
  parseRateLimitReset,
  parseRetryAfter,
  type AttemptOutcome,
  type RetryPolicy,
} from "../../../src/client/retry-policy";

const policy: RetryPolicy = {
  maxRetries: 3,
  retryBudgetMs: 60_000,
  maxRetryDelayMs: 30_000,
  baseDelayMs: 500,
  minRateLimitDelayMs: 1_000,
};
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const response = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({
  kind: "response",
  status,
  headers,
});
const decide = (outcome: AttemptOutcome, attempts = 1, random = 0, elapsedMs = 0) =>
  decideRetry({ outcome, attempts, elapsedMs, nowMs: now, random }, policy);

describe("the retry decision", () => {
  it.each([
    ["Retry-After in seconds", { "retry-after": "3" }, 3_000],
    ["Retry-After as an HTTP date", { "retry-after": new Date(now + 4_000).toUTCString() }, 4_000],
    ["x-ratelimit-reset as epoch seconds", { "x-ratelimit-reset": String(now / 1000 + 5) }, 5_000],
    [
      "Retry-After before x-ratelimit-reset",
      { "retry-after": "2", "x-ratelimit-reset": String(now / 1000 + 9) },
      2_000,
    ],
    ["a reset equal to now: the 1 s floor", { "x-ratelimit-reset": String(now / 1000) }, 1_000],
    ["a reset in the past: the 1 s floor", { "x-ratelimit-reset": String(now / 1000 - 30) }, 1_000],
    ["no header at all: twice the floor", {}, 2_000],
    ["an unparsable header: twice the floor", { "retry-after": "soon", "x-ratelimit-reset": "later" }, 2_000],
  ])("waits after a 429 with %s", (_name, headers, expected) => {
    expect(decide(response(429, headers))).toMatchObject({ retry: true, delayMs: expected });
  });

  it("adds up to 25% jitter to a 429 wait so parallel callers spread out", () => {
    expect(decide(response(429, { "retry-after": "4" }), 1, 0.999)).toMatchObject({ retry: true, delayMs: 4_999 });
  });

  it("caps a 429 wait at maxRetryDelayMs", () => {
    expect(decide(response(429, { "retry-after": "3600" }))).toMatchObject({ retry: true, delayMs: 30_000 });
  });

  it.each([408, 500, 502, 503, 504])("backs off exponentially with jitter after HTTP %i", (status) => {
    expect(decide(response(status), 1, 0)).toMatchObject({ retry: true, delayMs: 250 });
    expect(decide(response(status), 2, 0)).toMatchObject({ retry: true, delayMs: 500 });
    expect(decide(response(status), 3, 0.999)).toMatchObject({ retry: true, delayMs: 1_999 });
  });

  it.each(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "ECONNREFUSED"])(
    "retries the network error %s",
    (code) => {
      expect(decide({ kind: "network", code })).toMatchObject({ retry: true });
    },
  );

  it.each([400, 401, 403, 404, 409])("never retries HTTP %i", (status) => {
    expect(decide(response(status))).toMatchObject({ retry: false });
  });

  it("never retries an unknown network error such as a certificate failure", () => {
    expect(decide({ kind: "network", code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).toMatchObject({ retry: false });
  });

  it("stops after maxRetries retries", () => {
    expect(decide(response(503), 3)).toMatchObject({ retry: true });
    expect(decide(response(503), 4)).toEqual({
      retry: false,
      reason: "HTTP 503; gave up after 4 attempts (maxRetries 3)",
    });
  });

  it("stops when the next wait would exceed the retry budget", () => {
    expect(decide(response(429, { "retry-after": "10" }), 1, 0, 55_000)).toMatchObject({ retry: false });
  });
});

describe("rate-limit header parsing", () => {
  it("reads Retry-After as seconds or as a date, and ignores junk", () => {
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
    expect(parseRetryAfter(" ", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("reads x-ratelimit-reset as a UNIX time in seconds, never as a duration", () => {
    expect(parseRateLimitReset("2", now)).toBe(0);
    expect(parseRateLimitReset(String(now / 1000 + 2), now)).toBe(2_000);
  });
});
