import type { Clock } from "./clock";

export interface PacerOptions {
  /** Fixed cap on request starts per second; 0 = none (pace by the tenant's headers only). */
  readonly requestsPerSecond: number;
  readonly maxConcurrentRequests: number;
}

/** Shortest pause when Auth0 reports an empty bucket but a reset time that has already come. */
const MIN_EMPTY_BUCKET_PAUSE_MS = 200;

/**
 * Decides when the next request to one tenant may start. Shared by every resource of a deployment,
 * so a large stack keeps to the tenant's limit instead of tripping it:
 * - one request until the first answer arrives ("slow start"), then at most `maxConcurrentRequests`
 *   in flight, and never more than the bucket size Auth0 reports (`x-ratelimit-limit`);
 * - when Auth0 reports the bucket empty (`x-ratelimit-remaining: 0`), wait for `x-ratelimit-reset`;
 * - after a 429, every caller waits out the same delay instead of retrying in a stampede;
 * - optionally, a fixed rate (`requestsPerSecond`).
 * Callers are served first come, first served.
 */
export class RequestPacer {
  private inFlight = 0;
  private pausedUntil = 0;
  private nextStartAt = 0;
  /** False until the first response: start with one request, learn the bucket, then open up. */
  private calibrated = false;
  private bucketLimit: number | undefined;
  private bucketRemaining: number | undefined;
  private bucketResetAt = 0;
  private readonly waiters: (() => void)[] = [];
  private pumping = false;

  constructor(
    private readonly options: PacerOptions,
    private readonly clock: Clock,
  ) {}

  /** Waits for a slot; call the returned function when the request has finished. */
  async acquire(): Promise<() => void> {
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      void this.pump();
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      void this.pump();
    };
  }

  /** Learns the tenant's bucket from a response's x-ratelimit-* headers. */
  observe(headers: Readonly<Record<string, string | undefined>>): void {
    this.calibrated = true;
    const limit = parseCount(headers["x-ratelimit-limit"]);
    const remaining = parseCount(headers["x-ratelimit-remaining"]);
    const reset = parseCount(headers["x-ratelimit-reset"]);
    if (limit !== undefined && limit > 0) this.bucketLimit = limit;
    if (remaining === undefined) return;
    // Requests still in flight were sent after this one was counted: assume they used tokens too.
    this.bucketRemaining = remaining - Math.max(0, this.inFlight - 1);
    const now = this.clock.now();
    this.bucketResetAt = Math.max(reset === undefined ? 0 : reset * 1000, now + MIN_EMPTY_BUCKET_PAUSE_MS);
  }

  /** After a 429: nobody starts a request before `delayMs` has passed. */
  pause(delayMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + delayMs);
    this.bucketRemaining = 0;
    this.bucketResetAt = Math.max(this.bucketResetAt, this.pausedUntil);
  }

  private concurrencyCap(): number {
    if (!this.calibrated) return 1;
    return Math.max(1, Math.min(this.options.maxConcurrentRequests, this.bucketLimit ?? Infinity));
  }

  private waitMs(now: number): number {
    let until = Math.max(this.pausedUntil, this.nextStartAt);
    if (this.bucketRemaining !== undefined && this.bucketRemaining <= 0) {
      if (now >= this.bucketResetAt) {
        // The bucket has refilled at least one token: probe with one request and learn again from
        // its answer; nobody else starts until that answer, or a short pause, has passed.
        this.bucketRemaining = 1;
        this.bucketResetAt = now + MIN_EMPTY_BUCKET_PAUSE_MS;
      } else {
        until = Math.max(until, this.bucketResetAt);
      }
    }
    return until - now;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0 && this.inFlight < this.concurrencyCap()) {
        const now = this.clock.now();
        const wait = this.waitMs(now);
        if (wait > 0) {
          await this.clock.sleep(wait);
          continue;
        }
        this.inFlight++;
        if (this.bucketRemaining !== undefined) this.bucketRemaining--;
        if (this.options.requestsPerSecond > 0) {
          this.nextStartAt = Math.max(now, this.nextStartAt) + 1000 / this.options.requestsPerSecond;
        }
        this.waiters.shift()?.();
      }
    } finally {
      this.pumping = false;
    }
  }
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
