import { describe, expect, it } from "vitest";
import { decideRetry, type AttemptOutcome, type RetryPolicy } from "../../../src/client/retry-policy";

const policy: RetryPolicy = {
  maxRetries: 3,
  retryBudgetMs: 60_000,
  maxRetryDelayMs: 30_000,
  baseDelayMs: 500,
};
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const response = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({
  kind: "response",
  status,
  headers,
});
const decide = (outcome: AttemptOutcome, attempts = 1, random = 0, elapsedMs = 0) =>
  decideRetry({ outcome, attempts, elapsedMs, random }, policy);

describe("the retry decision", () => {
  it.each([
    ["Retry-After", { "retry-after": "3600" }],
    ["x-ratelimit-reset", { "x-ratelimit-reset": String(now / 1000 + 5) }],
    ["no header at all", {}],
  ])("retries a 429 with %s without a backoff of its own: the pacer holds it", (_name, headers) => {
    expect(decide(response(429, headers), 1, 0.999)).toEqual({ retry: true, delayMs: 0, reason: "HTTP 429" });
  });

  it("caps a backoff at maxRetryDelayMs", () => {
    expect(decide(response(503), 3, 0, 0)).toMatchObject({ retry: true });
    const long = decideRetry(
      { outcome: response(503), attempts: 60, elapsedMs: 0, random: 0.999 },
      { ...policy, maxRetries: 100, retryBudgetMs: 10 ** 12 },
    );
    expect(long).toMatchObject({ retry: true, delayMs: 29_985 }); // 15 s + 15 s × 0.999: equal jitter under the cap
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

  it("stops when the next backoff would exceed the retry budget", () => {
    expect(decide(response(503), 3, 0, 58_900)).toMatchObject({ retry: true, delayMs: 1_000 });
    expect(decide(response(503), 3, 0, 59_100)).toEqual({
      retry: false,
      reason: "HTTP 503; gave up after 3 attempts (retry budget 60000 ms)",
    });
  });

  it("stops retrying a 429 once the retry budget is spent", () => {
    expect(decide(response(429), 2, 0, 60_001)).toMatchObject({ retry: false });
  });

  it("stops after maxRetries 429s too", () => {
    expect(decide(response(429), 4)).toMatchObject({ retry: false });
  });
});
