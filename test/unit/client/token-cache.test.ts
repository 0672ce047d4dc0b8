import { describe, expect, it } from "vitest";
import { TokenCache } from "../../../src/client/token-cache";
import { TestClock } from "../../helpers/clock.mjs";

function counter(expiresInSeconds = 86_400) {
  let calls = 0;
  const issue = async () => ({ accessToken: `token-${++calls}`, expiresInSeconds });
  return { issue, calls: () => calls };
}

describe("the token cache", () => {
  it("shares one in-flight token request among concurrent callers", async () => {
    const source = counter();
    const cache = new TokenCache(source.issue, TestClock.instant());
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(new Set(tokens)).toEqual(new Set(["token-1"]));
    expect(source.calls()).toBe(1);
  });

  it("does not cache a failure: the next caller asks again", async () => {
    let calls = 0;
    const cache = new TokenCache(async () => {
      if (++calls === 1) throw new Error("token endpoint down");
      return { accessToken: "ok", expiresInSeconds: 60 };
    }, TestClock.instant());
    await expect(cache.get()).rejects.toThrow("token endpoint down");
    await expect(cache.get()).resolves.toBe("ok");
  });

  it("refreshes 60 s before expiry, and a tenth of the lifetime early for short-lived tokens", async () => {
    const clock = TestClock.instant();
    const source = counter(3_600);
    const cache = new TokenCache(source.issue, clock);
    await cache.get();
    clock.current += 3_540_000 - 1;
    expect(await cache.get()).toBe("token-1");
    clock.current += 1;
    expect(await cache.get()).toBe("token-2");

    const shortClock = TestClock.instant();
    const short = new TokenCache(counter(10).issue, shortClock);
    await short.get();
    shortClock.current += 9_000;
    expect(await short.get()).toBe("token-2");
  });

  it("drops a rejected token once, not a newer token that already replaced it", async () => {
    const source = counter();
    const cache = new TokenCache(source.issue, TestClock.instant());
    await cache.get();
    cache.invalidate("token-1");
    expect(await cache.get()).toBe("token-2");
    cache.invalidate("token-1");
    expect(await cache.get()).toBe("token-2");
  });
});
