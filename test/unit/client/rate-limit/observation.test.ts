import { describe, expect, it } from "vitest";
import { parseRateLimitHeaders } from "../../../../src/client/rate-limit/observation";

const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const observe = (headers: Record<string, string>, status = 200) => parseRateLimitHeaders(status, headers, now);

describe("one observation per answer", () => {
  it("reads the bucket headers, with x-ratelimit-reset as a UNIX time in seconds, never a duration", () => {
    expect(
      observe({ "x-ratelimit-limit": "50", "x-ratelimit-remaining": "7", "x-ratelimit-reset": String(now / 1000 + 2) }),
    ).toEqual({
      receivedAt: now,
      rejected: false,
      limit: 50,
      remaining: 7,
      resetAt: now + 2_000,
      retryAt: undefined,
    });
    expect(observe({ "x-ratelimit-reset": "2" }).resetAt).toBe(2_000);
  });

  it("marks a 429 as rejected", () => {
    expect(observe({}, 429)).toMatchObject({ rejected: true, limit: undefined, remaining: undefined });
  });

  it.each([
    ["seconds", "3", now + 3_000],
    ["fractional seconds", "1.5", now + 1_500],
    ["an HTTP date", new Date(now + 4_000).toUTCString(), now + 4_000],
    ["an HTTP date in the past", new Date(now - 60_000).toUTCString(), now],
    ["white space around seconds", " 2 ", now + 2_000],
  ])("reads Retry-After as %s", (_name, value, expected) => {
    expect(observe({ "retry-after": value }).retryAt).toBe(expected);
  });

  it.each([
    ["empty", ""],
    ["a word", "soon"],
    ["negative", "-5"],
    ["an ISO date, not an HTTP date", "2026-11-23"],
    ["an exponent", "1e3"],
    ["far too many digits", "9".repeat(400)],
    ["a number of seconds with more than 9 digits", "12345678901"],
  ])("ignores a Retry-After that is %s", (_name, value) => {
    expect(observe({ "retry-after": value }).retryAt).toBeUndefined();
  });

  it.each([
    ["negative", "-1"],
    ["fractional", "2.5"],
    ["hexadecimal", "0x10"],
    ["far too many digits", "9".repeat(400)],
    ["not a number", "many"],
  ])("ignores a count or reset that is %s", (_name, value) => {
    expect(
      observe({ "x-ratelimit-limit": value, "x-ratelimit-remaining": value, "x-ratelimit-reset": value }),
    ).toMatchObject({ limit: undefined, remaining: undefined, resetAt: undefined });
  });

  it("ignores a bucket size of 0, which would stop every request", () => {
    expect(observe({ "x-ratelimit-limit": "0", "x-ratelimit-remaining": "0" })).toMatchObject({
      limit: undefined,
      remaining: 0,
    });
  });
});
