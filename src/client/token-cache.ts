import type { Clock } from "./clock";

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds, as `expires_in`. */
  readonly expiresInSeconds: number;
}

/** Refresh this long before expiry, but never more than a tenth of the token's lifetime. */
export const TOKEN_EXPIRY_LEEWAY_MS = 60_000;

/**
 * One access token per tenant, shared by every resource of the deployment: one token request per
 * deployment, not one per resource. Concurrent callers share one in-flight request; a failed
 * request is not cached, so the next caller tries again.
 */
export class TokenCache {
  private token: { value: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.clock.now() < this.token.refreshAt) return this.token.value;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** After a 401 with `rejected`: drop it, unless another caller already replaced it. */
  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = undefined;
  }

  private async fetch(): Promise<string> {
    const startedAt = this.clock.now();
    const issued = await this.issue();
    const lifetimeMs = issued.expiresInSeconds * 1000;
    const leeway = Math.min(TOKEN_EXPIRY_LEEWAY_MS, lifetimeMs / 10);
    this.token = { value: issued.accessToken, refreshAt: startedAt + lifetimeMs - leeway };
    return issued.accessToken;
  }
}
