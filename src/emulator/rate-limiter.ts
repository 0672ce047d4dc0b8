import type { RateLimitSettings } from "./options";

export interface RateLimitDecision {
  allowed: boolean;
  /** Value of `x-ratelimit-limit`: the bucket size. */
  limit: number;
  /** Value of `x-ratelimit-remaining`: whole tokens left after this request. */
  remaining: number;
  /** Value of `x-ratelimit-reset`: epoch seconds. */
  reset: number;
  /** Whole seconds until a token is back (for `Retry-After`); 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * Auth0's token bucket (auth0-api-facts.md §10): `burst` tokens at most, refilled continuously at
 * `perSecond`, one token per request. Time comes from the injected clock, so tests need no sleeps.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly settings: RateLimitSettings,
    private readonly now: () => number,
    private readonly resetRounding: "next-token" | "current-second",
  ) {
    this.tokens = settings.burst;
    this.updatedAt = now();
  }

  take(): RateLimitDecision {
    const now = this.refill();
    const allowed = this.tokens >= 1;
    if (allowed) this.tokens -= 1;
    // When the next whole token is added: `reset` per the docs ("when tokens are next added").
    const missing = this.tokens >= 1 ? 0 : 1 - this.tokens;
    const nextTokenAt = now + (missing * 1000) / this.settings.perSecond;
    const reset = this.resetRounding === "next-token" ? Math.ceil(nextTokenAt / 1000) : Math.floor(nextTokenAt / 1000);
    return {
      allowed,
      limit: this.settings.burst,
      remaining: Math.floor(this.tokens),
      reset,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((nextTokenAt - now) / 1000)),
    };
  }

  private refill(): number {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.settings.burst, this.tokens + (elapsed * this.settings.perSecond) / 1000);
    this.updatedAt = now;
    return now;
  }
}
