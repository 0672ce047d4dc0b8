import type { RateLimitObservation } from "./observation";

export interface BucketModelOptions {
  /** Fixed cap on request starts per second; 0 = none (pace by the tenant's headers only). */
  readonly requestsPerSecond: number;
  readonly maxConcurrentRequests: number;
  /**
   * Longest single wait on a hint (`Retry-After`, `x-ratelimit-reset`, the learned refill): then one
   * request goes to find out. A reset far ahead (a skewed clock, a daily quota) or a rate cut down by
   * many 429s must not hold a deployment for hours.
   */
  readonly maxWaitMs: number;
  /**
   * Shortest wait after a 429. Auth0 can send an x-ratelimit-reset equal to the current second
   * (go-auth0 #501), so `reset - now` alone would send again at once and fail again.
   */
  readonly minRateLimitDelayMs: number;
}

export const MIN_RATE_LIMIT_DELAY_MS = 1_000;
/** Shortest pause when Auth0 reports an empty bucket but a reset time that has already come. */
const MIN_EMPTY_BUCKET_PAUSE_MS = 200;
/** Up to this share is added to a 429's wait, so clients of the same tenant in other processes spread out. */
const RATE_LIMIT_JITTER = 0.25;
/** Refill is measured over windows at least this long: shorter ones are dominated by whole-token rounding. */
const MIN_RATE_WINDOW_MS = 1_000;
/** A new measuring point at most this often; the oldest of `MAX_RATE_ANCHORS` is dropped. */
const RATE_ANCHOR_SPACING_MS = 1_000;
const MAX_RATE_ANCHORS = 10;
/** The measured refill is a lower bound up to timing noise (receipt time is not Auth0's take time): keep a margin. */
const RATE_SAFETY = 0.9;
/** Tolerance on "one whole token", against floating-point residue of the refill arithmetic. */
const EPSILON = 1e-9;

/** One request's start, as the model saw it: handed back with its answer. */
export interface StartTicket {
  /** 1 for the first start, then 2, 3 … */
  readonly seq: number;
  /** Why it went: the model had a token, or it went to find out at Auth0's reset, or blindly (a probe). */
  readonly kind: "model" | "reset" | "blind";
}

/** A measuring point for the refill rate: what Auth0 reported, when, and how many requests had started by then. */
interface RateAnchor {
  readonly at: number;
  readonly remaining: number;
  readonly starts: number;
  readonly rejected: number;
}

/**
 * A model of one tenant's token bucket, and from it when the next request may start. Pure: time
 * comes in as an argument and nothing here waits, so every rule is tested in virtual time.
 * - one request until the first answer arrives ("slow start"), then at most `maxConcurrentRequests`
 *   in flight, and never more than the bucket size Auth0 reports (`x-ratelimit-limit`);
 * - the tokens: what Auth0 last reported (`x-ratelimit-remaining`, less the requests in flight it
 *   may not have counted yet), less the requests started since, plus the refill since then;
 * - the refill rate is learned from the answers: over a window, the tokens Auth0 reports now, minus
 *   those it reported at the window's start, plus the requests it served in between, is what it
 *   refilled. That is a lower bound (rounding down to whole tokens, other clients of the same tenant
 *   and a full bucket only make it smaller), so a start the model allows finds a token;
 * - with no token: wait until the refill brings one, or until `x-ratelimit-reset` when that is
 *   sooner ("a token by then"), but never more than `maxWaitMs` past the last start or answer; with neither (no rate learned yet, and a reset that has already come,
 *   which Auth0 is reported to send), probe with one request after a short pause;
 * - a 429 holds every request, the one that met it included, for one wait: `Retry-After`, else
 *   `x-ratelimit-reset`, at least `minRateLimitDelayMs`, plus jitter, at most `maxWaitMs`. It halves
 *   the learned rate (something else is using the bucket), once for the 429s of requests that were in
 *   flight together; and when the request had gone at a reset, this tenant's resets no longer decide
 *   when to go (they round down);
 * - optionally, a fixed rate (`requestsPerSecond`).
 */
export class BucketModel {
  private pausedUntil = 0;
  private nextSpacedStart = 0;
  /** False until the first answer: start with one request, learn the bucket, then open up. */
  private calibrated = false;
  private bucketLimit: number | undefined;
  /** Tokens believed left at `levelAt`; undefined while Auth0 has reported no bucket (no limit). */
  private level: number | undefined;
  private levelAt = 0;
  /** Auth0's `x-ratelimit-reset` when it is still ahead and the bucket empty: a token is back by then. */
  private resetAt: number | undefined;
  /** The last reset reported lay beyond `maxWaitMs`, so `resetAt` is our cap, not Auth0's word. */
  private resetCapped = false;
  /** When one request may go to find out whether a token is back, when neither the rate nor the reset tells. */
  private probeAt = 0;
  /** False once a request sent at a reset met a 429: this tenant's resets are not "a token by then". */
  private resetTrusted = true;
  /** Starts up to this one had gone when the learned rate was last halved: their 429s saw the same congestion. */
  private halvedAtSeq = 0;
  /** Learned refill, tokens per millisecond; 0 = not known yet. */
  private refillPerMs = 0;
  private starts = 0;
  /** Requests answered 429: they took no token. */
  private rejected = 0;
  private anchors: RateAnchor[] = [];

  constructor(private readonly options: BucketModelOptions) {}

  /** Requests allowed in flight at once. */
  capacity(): number {
    if (!this.calibrated) return 1;
    return Math.max(1, Math.min(this.options.maxConcurrentRequests, this.bucketLimit ?? Infinity));
  }

  /** The earliest time the next request may start (at or before `now`: at once). Reads, never changes, the model. */
  nextStartAt(now: number): number {
    const at = Math.max(this.pausedUntil, this.nextSpacedStart);
    const tokens = this.tokens(now);
    if (tokens >= 1 - EPSILON) return at;
    // When is a token back? By the learned refill, or by Auth0's reset, whichever is sooner. When
    // neither tells (nothing learned yet, and a reset already past or not trusted): the probe time.
    const refillAt = this.refillPerMs > 0 ? now + (1 - tokens) / this.refillPerMs : Infinity;
    const backAt = Math.min(refillAt, (this.resetTrusted ? this.resetAt : undefined) ?? Infinity);
    if (backAt === Infinity) return Math.max(at, this.probeAt);
    // A rate cut down by many 429s can put the next token far off; no later than `maxWaitMs` after the
    // model last changed, one request goes to find out.
    return Math.max(at, Math.min(backAt, this.levelAt + this.options.maxWaitMs));
  }

  /** A request starts at `now` (no earlier than `nextStartAt`): it takes a token. */
  started(now: number): StartTicket {
    this.starts++;
    let kind: StartTicket["kind"] = "model";
    if (this.level !== undefined) {
      const tokens = this.tokens(now);
      if (tokens < 1 - EPSILON) {
        // The model has no token: this request goes to find out (Auth0's reset has come, or the probe
        // time). Nobody else starts until its answer, or a short pause, has passed.
        const atReset = this.resetTrusted && this.resetAt !== undefined && now >= this.resetAt && !this.resetCapped;
        kind = atReset ? "reset" : "blind";
        this.probeAt = now + MIN_EMPTY_BUCKET_PAUSE_MS;
        this.level = 0;
      } else {
        this.level = tokens - 1;
      }
      this.levelAt = now;
    }
    // The token a reset announced may be the one this request takes.
    this.resetAt = undefined;
    if (this.options.requestsPerSecond > 0) {
      this.nextSpacedStart = Math.max(now, this.nextSpacedStart) + 1000 / this.options.requestsPerSecond;
    }
    return { seq: this.starts, kind };
  }

  /**
   * The answer to the request of `ticket` arrived at `observation.receivedAt`. `othersInFlight`:
   * requests still in flight besides it. `random` in [0, 1), for the jitter of a 429's wait.
   */
  answered(ticket: StartTicket, observation: RateLimitObservation, othersInFlight: number, random: number): void {
    const now = observation.receivedAt;
    this.calibrated = true;
    if (observation.limit !== undefined) this.bucketLimit = observation.limit;
    const remaining = observation.remaining;
    if (remaining !== undefined) {
      // Requests in flight besides this one may have been counted after it: assume they used tokens too.
      // A 429 is counted as rejected only after this: the refill it adds to one window is within
      // RATE_SAFETY, and counting it first measured slower on the free plan (bench/pacer-sim.mjs).
      this.learnRefill(now, remaining, othersInFlight);
      this.level = remaining - othersInFlight;
      this.levelAt = now;
    }
    if (observation.rejected) {
      this.rejected++;
      // The request that went at a reset found no token: this tenant's resets round down.
      if (ticket.kind === "reset") this.resetTrusted = false;
    }
    if (observation.rejected) {
      // Something else is using the bucket: halve the learned rate, once per congestion (the 429s of
      // requests that were already in flight at the last cut saw the same one).
      if (ticket.seq > this.halvedAtSeq) {
        this.refillPerMs /= 2;
        this.halvedAtSeq = this.starts;
      }
      this.pausedUntil = Math.max(this.pausedUntil, now + this.rateLimitWait(observation, random));
      this.level = 0;
      this.levelAt = now;
      this.resetAt = undefined;
      this.probeAt = Math.max(this.probeAt, this.pausedUntil);
      return;
    }
    if (remaining === undefined) return;
    const reset = observation.resetAt;
    // An empty bucket's reset is when a token is back, if no other request of ours takes it first. Auth0
    // can also send a reset equal to the current second, which says nothing.
    const resetAt = reset === undefined ? undefined : Math.min(reset, now + this.options.maxWaitMs);
    this.resetCapped = reset !== undefined && reset > now + this.options.maxWaitMs;
    this.resetAt =
      remaining === 0 && othersInFlight === 0 && resetAt !== undefined && resetAt > now ? resetAt : undefined;
    // Without a rate or a trusted reset: probe after a short pause, and not before the reset (which, even
    // when rounded down, is no later than the token).
    this.probeAt = Math.max(now + MIN_EMPTY_BUCKET_PAUSE_MS, resetAt ?? 0);
  }

  /** Tokens per second the model has learned the tenant refills (0 = not known yet); for diagnostics. */
  learnedRequestsPerSecond(): number {
    return this.refillPerMs * 1000;
  }

  /** After a 429: `Retry-After`, else `x-ratelimit-reset`, else twice the floor; at least the floor, plus jitter; capped. */
  private rateLimitWait(observation: RateLimitObservation, random: number): number {
    const floor = this.options.minRateLimitDelayMs;
    const hint = observation.retryAt ?? observation.resetAt;
    const base = Math.max(floor, hint === undefined ? 2 * floor : hint - observation.receivedAt);
    return Math.min(this.options.maxWaitMs, base * (1 + RATE_LIMIT_JITTER * random));
  }

  private learnRefill(now: number, remaining: number, others: number): void {
    let best = 0;
    for (const anchor of this.anchors) {
      const windowMs = now - anchor.at;
      if (windowMs < MIN_RATE_WINDOW_MS) continue;
      // Served since the anchor: every start after it, except those still in flight besides this one
      // (maybe not counted yet) and those answered 429. The anchor's bucket held less than remaining + 1 tokens.
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
}
