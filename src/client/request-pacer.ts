import type { Clock } from "./clock";

export interface PacerOptions {
  /** Fixed cap on request starts per second; 0 = none (pace by the tenant's headers only). */
  readonly requestsPerSecond: number;
  readonly maxConcurrentRequests: number;
  /**
   * Longest the pacer waits on Auth0's word (`x-ratelimit-reset`) before letting one request find out.
   * A reset far ahead (a skewed clock, a daily quota) must not hold a deployment for hours.
   */
  readonly maxWaitMs: number;
}

/** Shortest pause when Auth0 reports an empty bucket but a reset time that has already come. */
const MIN_EMPTY_BUCKET_PAUSE_MS = 200;
/** Refill is measured over windows at least this long: shorter ones are dominated by whole-token rounding. */
const MIN_RATE_WINDOW_MS = 1_000;
/** A new measuring point at most this often; the oldest of `MAX_RATE_ANCHORS` is dropped. */
const RATE_ANCHOR_SPACING_MS = 1_000;
const MAX_RATE_ANCHORS = 10;
/** The measured refill is a lower bound up to timing noise (receipt time is not Auth0's take time): keep a margin. */
const RATE_SAFETY = 0.9;
/** Tolerance on "one whole token", against floating-point residue of the refill arithmetic. */
const EPSILON = 1e-9;

/** A measuring point for the refill rate: what Auth0 reported, when, and how many requests had started by then. */
interface RateAnchor {
  readonly at: number;
  readonly remaining: number;
  readonly starts: number;
  readonly rejected: number;
}

/**
 * Decides when the next request to one tenant may start. Shared by every resource of a deployment,
 * so a large stack keeps to the tenant's limit instead of tripping it:
 * - one request until the first answer arrives ("slow start"), then at most `maxConcurrentRequests`
 *   in flight, and never more than the bucket size Auth0 reports (`x-ratelimit-limit`);
 * - it keeps a model of the tenant's token bucket: the tokens Auth0 last reported
 *   (`x-ratelimit-remaining`, less the requests in flight it may not have counted yet), less the
 *   requests started since, plus the refill since then;
 * - the refill rate is learned from the headers themselves: over a window, the tokens Auth0 reports
 *   now, minus those it reported at the window's start, plus the requests it served in between, is
 *   what it refilled. That is a lower bound (rounding down to whole tokens, other clients of the same
 *   tenant and a full bucket only make it smaller), so a start the model allows finds a token;
 * - when the model has no token: wait until the refill brings one, or until `x-ratelimit-reset` when
 *   that is sooner ("a token by then"); with neither (no rate learned yet, and a reset that has already
 *   come, which Auth0 is reported to send), probe with one request after a short pause;
 * - after a 429, every caller waits out the same delay instead of retrying in a stampede, and the
 *   learned rate is halved: something else is using the bucket;
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
  /** Tokens believed left at `levelAt`; undefined while Auth0 has reported no bucket (no limit). */
  private level: number | undefined;
  private levelAt = 0;
  /** Auth0's `x-ratelimit-reset` when it is still ahead: a token is back by then. */
  private resetAt: number | undefined;
  /** When one request may go to find out whether a token is back, when neither the rate nor the reset tells. */
  private probeAt = 0;
  /** False once a request sent at a reset found the bucket empty: this tenant's resets are not "a token by then". */
  private resetTrusted = true;
  /** The last reset reported lay beyond `maxWaitMs`, so `resetAt` is our cap. */
  private resetCapped = false;
  /** Why the next start is allowed when the model says the bucket is empty, and why the last one went. */
  private probe: "reset" | "blind" | undefined;
  private lastStart: "reset" | "blind" | "model" = "model";
  /** Learned refill, tokens per millisecond; 0 = not known yet. */
  private refillPerMs = 0;
  private starts = 0;
  /** Requests answered 429: they took no token. */
  private rejected = 0;
  private anchors: RateAnchor[] = [];
  private readonly waiters: (() => void)[] = [];
  private pumping = false;
  /** Ends the pump's current wait early: an answer, a release or a pause may have changed the picture. */
  private wake: (() => void) | undefined;

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
      this.wakePump();
      void this.pump();
    };
  }

  /** Learns the tenant's bucket from a response's x-ratelimit-* headers. Call it before releasing the slot. */
  observe(headers: Readonly<Record<string, string | undefined>>): void {
    this.calibrated = true;
    const limit = parseCount(headers["x-ratelimit-limit"]);
    const remaining = parseCount(headers["x-ratelimit-remaining"]);
    const reset = parseCount(headers["x-ratelimit-reset"]);
    if (limit !== undefined && limit > 0) this.bucketLimit = limit;
    if (remaining === undefined) return;
    const now = this.clock.now();
    // Requests still in flight besides this one may have been counted after it: assume they used tokens too.
    const others = Math.max(0, this.inFlight - 1);
    this.learnRefill(now, remaining, others);
    this.level = remaining - others;
    this.levelAt = now;
    // An empty bucket's reset is when a token is back, if no other request of ours takes it first. Auth0
    // can also send a reset equal to the current second, which says nothing.
    const resetMs = reset === undefined ? undefined : Math.min(reset * 1000, now + this.options.maxWaitMs);
    // A capped reset is our limit, not Auth0's word: a probe at it says nothing about how this tenant rounds.
    this.resetCapped = reset !== undefined && reset * 1000 > now + this.options.maxWaitMs;
    this.resetAt = remaining === 0 && others === 0 && resetMs !== undefined && resetMs > now ? resetMs : undefined;
    // Without a rate or a trusted reset: probe after a short pause, and not before the reset (which, even
    // when rounded down, is no later than the token).
    this.probeAt = Math.max(now + MIN_EMPTY_BUCKET_PAUSE_MS, resetMs ?? 0);
    this.wakePump();
  }

  /** After a 429: nobody starts a request before `delayMs` has passed. */
  pause(delayMs: number): void {
    const now = this.clock.now();
    // One 429 is reported more than once (a first short pause, then the retry's full one): count it once.
    if (now >= this.pausedUntil) {
      this.rejected++;
      this.refillPerMs /= 2;
      // The last request went because a reset said a token was back, and found none: this tenant's
      // resets round down (to the current second), so they no longer decide when to go.
      if (this.lastStart === "reset") this.resetTrusted = false;
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + delayMs);
    this.level = 0;
    this.levelAt = now;
    this.resetAt = undefined;
    this.probeAt = Math.max(this.probeAt, this.pausedUntil);
    this.wakePump();
  }

  /** Tokens per second the pacer has learned the tenant refills (0 = not known yet); for diagnostics. */
  learnedRequestsPerSecond(): number {
    return this.refillPerMs * 1000;
  }

  private learnRefill(now: number, remaining: number, others: number): void {
    let best = 0;
    for (const anchor of this.anchors) {
      const windowMs = now - anchor.at;
      if (windowMs < MIN_RATE_WINDOW_MS) continue;
      // Served since the anchor: every start after it, except those still in flight besides this one
      // (maybe not counted yet). The anchor's bucket held less than remaining + 1 tokens.
      const served = this.starts - anchor.starts - others - (this.rejected - anchor.rejected);
      best = Math.max(best, (remaining + served - (anchor.remaining + 1)) / windowMs);
    }
    this.refillPerMs = Math.max(this.refillPerMs, best * RATE_SAFETY);
    const last = this.anchors[this.anchors.length - 1];
    if (last === undefined || now - last.at >= RATE_ANCHOR_SPACING_MS) {
      this.anchors.push({ at: now, remaining, starts: this.starts, rejected: this.rejected });
      if (this.anchors.length > MAX_RATE_ANCHORS) this.anchors.shift();
    }
  }

  /** Tokens the model says are in the bucket at `now`. */
  private tokens(now: number): number {
    if (this.level === undefined) return Infinity;
    const refilled = this.level + this.refillPerMs * Math.max(0, now - this.levelAt);
    return this.bucketLimit === undefined ? refilled : Math.min(this.bucketLimit, refilled);
  }

  private concurrencyCap(): number {
    if (!this.calibrated) return 1;
    return Math.max(1, Math.min(this.options.maxConcurrentRequests, this.bucketLimit ?? Infinity));
  }

  private waitMs(now: number): number {
    let until = Math.max(this.pausedUntil, this.nextStartAt);
    const tokens = this.tokens(now);
    if (tokens < 1 - EPSILON) {
      // When is a token back? By the learned refill, or by Auth0's reset, whichever is sooner (the refill
      // model lets the request go by itself; at the reset one request goes to find out). When neither
      // tells (nothing learned yet, and a reset already past or not trusted): a probe after a short pause.
      const refillAt = this.refillPerMs > 0 ? now + (1 - tokens) / this.refillPerMs : undefined;
      const resetAt = this.resetTrusted ? this.resetAt : undefined;
      const backAt = Math.min(refillAt ?? Infinity, resetAt ?? Infinity);
      const probeAt = backAt === Infinity ? this.probeAt : backAt;
      if (now >= probeAt) {
        // Auth0's reset (or the probe time) has come: let one request find out and learn again from its
        // answer; nobody else starts until that answer, or a short pause, has passed.
        this.probe = resetAt !== undefined && now >= resetAt && !this.resetCapped ? "reset" : "blind";
        this.level = 1;
        this.levelAt = now;
        this.resetAt = undefined;
        this.probeAt = now + MIN_EMPTY_BUCKET_PAUSE_MS;
      } else {
        until = Math.max(until, probeAt);
      }
    }
    return until - now;
  }

  private wakePump(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0 && this.inFlight < this.concurrencyCap()) {
        const now = this.clock.now();
        const wait = this.waitMs(now);
        if (wait > 0) {
          await Promise.race([this.clock.sleep(wait), new Promise<void>((resolve) => (this.wake = resolve))]);
          this.wake = undefined;
          continue;
        }
        this.inFlight++;
        this.starts++;
        if (this.level !== undefined) {
          this.level = this.tokens(now) - 1;
          this.levelAt = now;
        }
        // The token a reset announced may be the one this request takes.
        this.resetAt = undefined;
        this.lastStart = this.probe ?? "model";
        this.probe = undefined;
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
