import { describe, expect, it } from "vitest";
import type { EmulatorOptions } from "../../src/emulator";
import { TestClock } from "../helpers/clock.mjs";
import { expectAnswer, standardSeed, useEmulator } from "./support";

const path = "/roles/rol_reader/permissions";
const limits = (headers: Record<string, unknown>) => ({
  limit: headers["x-ratelimit-limit"],
  remaining: headers["x-ratelimit-remaining"],
  reset: headers["x-ratelimit-reset"],
});

function limited(options: Partial<EmulatorOptions>) {
  const clock = new TestClock(Date.parse("2026-03-01T12:00:00.000Z"));
  const env = useEmulator(() => ({ seed: standardSeed(), now: clock.now, ...options }));
  return { clock, env };
}

describe("rate limiting, free profile (burst 2, 2 per second)", () => {
  const { clock, env } = limited({ rateLimit: "free" });
  const second = Date.parse("2026-03-01T12:00:00.000Z") / 1000;

  it("every API answer carries x-ratelimit-limit, -remaining and -reset (epoch seconds)", async () => {
    env.emulator.admin.reset();
    const first = await env.client.api("GET", path);
    expect(first.status).toBe(200);
    expect(limits(first.headers)).toEqual({ limit: "2", remaining: "1", reset: String(second) });
  });

  it("an empty bucket answers 429 with the limit headers, and its reset is the second a token is back", async () => {
    env.emulator.admin.reset();
    await env.client.api("GET", path);
    await env.client.api("GET", path);
    const third = await env.client.api("GET", path);
    expectAnswer(third, 429, {
      statusCode: 429,
      error: "Too Many Requests",
      message: "Global limit has been reached",
      errorCode: "too_many_requests",
    });
    // 0 tokens left; one is back after 500 ms, in the next epoch second.
    expect(limits(third.headers)).toEqual({ limit: "2", remaining: "0", reset: String(second + 1) });
    expect(third.headers["retry-after"]).toBeUndefined();
  });

  it("tokens refill continuously with the clock, without real waiting", async () => {
    env.emulator.admin.reset();
    await env.client.api("GET", path);
    await env.client.api("GET", path);
    expect((await env.client.api("GET", path)).status).toBe(429);
    clock.current += 499;
    expect((await env.client.api("GET", path)).status).toBe(429);
    clock.current += 1;
    expect((await env.client.api("GET", path)).status).toBe(200);
  });

  it("errors count against the bucket and carry the headers too", async () => {
    env.emulator.admin.reset();
    const missing = await env.client.api("GET", "/roles/rol_missing/permissions");
    expect(missing.status).toBe(404);
    expect(missing.headers["x-ratelimit-remaining"]).toBe("1");
    const unauthenticated = await env.client.request("GET", `/api/v2${path}`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers["x-ratelimit-remaining"]).toBe("0");
  });

  it("POST /oauth/token is not rate limited and has no limit headers", async () => {
    env.emulator.admin.reset();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => env.client.token()));
    expect(results).toHaveLength(5);
    const raw = await env.client.tokenRequest();
    expect(raw.headers["x-ratelimit-limit"]).toBeUndefined();
  });

  it("admin.setRateLimit switches to a custom bucket, which starts full", async () => {
    env.emulator.admin.setRateLimit({ burst: 3, per_second: 1 });
    const first = await env.client.api("GET", path);
    expect(limits(first.headers)).toMatchObject({ limit: "3", remaining: "2" });
    env.emulator.admin.setRateLimit({ profile: "none" });
    expect((await env.client.api("GET", path)).headers["x-ratelimit-limit"]).toBeUndefined();
    env.emulator.admin.reset();
  });
});

describe("rate limiting, enterprise profile (burst 50, 16 per second)", () => {
  const { env } = limited({ rateLimit: "enterprise" });
  it("allows a burst of 50, then answers 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 51; i += 1) statuses.push((await env.client.api("GET", path)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(statuses[50]).toBe(429);
  });
});

describe("rate limiting, alternatives", () => {
  const { env } = limited({
    rateLimit: { burst: 1, perSecond: 0.5 },
    retryAfterHeader: true,
    rateLimitReset: "current-second",
  });
  const second = Date.parse("2026-03-01T12:00:00.000Z") / 1000;

  it("retryAfterHeader adds Retry-After in whole seconds to 429 answers", async () => {
    env.emulator.admin.reset();
    await env.client.api("GET", path);
    const limitedAnswer = await env.client.api("GET", path);
    expect(limitedAnswer.status).toBe(429);
    expect(limitedAnswer.headers["retry-after"]).toBe("2");
  });

  it("rateLimitReset: current-second rounds the reset down, reproducing 'reset equals now' answers", async () => {
    env.emulator.admin.reset();
    await env.client.api("GET", path);
    const limitedAnswer = await env.client.api("GET", path);
    expect(limitedAnswer.headers["x-ratelimit-reset"]).toBe(String(second + 2));
    env.emulator.admin.setRateLimit({ burst: 1, per_second: 4 });
    await env.client.api("GET", path);
    const burst = await env.client.api("GET", path);
    expect(burst.headers["x-ratelimit-reset"]).toBe(String(second));
  });
});

describe("rate limiting, none (the default)", () => {
  const { env } = limited({});
  it("sends no rate-limit headers and never answers 429", async () => {
    const results = await Promise.all(Array.from({ length: 60 }, () => env.client.api("GET", path)));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(results[0]?.headers["x-ratelimit-limit"]).toBeUndefined();
  });
});
