/**
 * The retry decision, pure: what happened, how many attempts so far, how much time has passed →
 * retry after how long, or stop. No I/O and no clock reads, so every rule is table-tested.
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly retryBudgetMs: number;
  readonly maxRetryDelayMs: number;
  /** First backoff step for 408/5xx/network errors; doubles each attempt. */
  readonly baseDelayMs: number;
  /**
   * Shortest wait after a 429. Auth0 can send an x-ratelimit-reset equal to the current second
   * (go-auth0 #501), so `reset - now` alone would retry at once and fail again.
   */
  readonly minRateLimitDelayMs: number;
}

export const BASE_BACKOFF_MS = 500;
export const MIN_RATE_LIMIT_DELAY_MS = 1_000;

export type AttemptOutcome =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: Readonly<Record<string, string | undefined>>;
    }
  | { readonly kind: "network"; readonly code: string };

export interface RetryInput {
  readonly outcome: AttemptOutcome;
  /** Attempts made so far, including the one that produced `outcome` (1 after the first). */
  readonly attempts: number;
  /** Time since the first attempt started. */
  readonly elapsedMs: number;
  readonly nowMs: number;
  /** A number in [0, 1), for jitter. */
  readonly random: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: string }
  | { readonly retry: false; readonly reason: string };

/** Network failures that say nothing about the request itself: worth another try. */
export const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

export function decideRetry(input: RetryInput, policy: RetryPolicy): RetryDecision {
  const reason = describe(input.outcome);
  if (!isRetryable(input.outcome)) return { retry: false, reason: `${reason} is not retryable` };
  if (input.attempts > policy.maxRetries) {
    return {
      retry: false,
      reason: `${reason}; gave up after ${input.attempts} attempts (maxRetries ${policy.maxRetries})`,
    };
  }
  const delayMs = Math.round(
    input.outcome.kind === "response" && input.outcome.status === 429
      ? rateLimitDelay(input.outcome.headers, input.nowMs, input.random, policy)
      : backoffDelay(input.attempts, input.random, policy),
  );
  if (input.elapsedMs + delayMs > policy.retryBudgetMs) {
    return {
      retry: false,
      reason: `${reason}; gave up after ${input.attempts} attempts (retry budget ${policy.retryBudgetMs} ms)`,
    };
  }
  return { retry: true, delayMs, reason };
}

function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "network") return TRANSIENT_NETWORK_CODES.has(outcome.code);
  return outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
}

function describe(outcome: AttemptOutcome): string {
  return outcome.kind === "network" ? outcome.code : `HTTP ${outcome.status}`;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so waits never collapse to 0. */
export function backoffDelay(attempts: number, random: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxRetryDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + (ceiling / 2) * random;
}

/**
 * 429: `Retry-After` (seconds or HTTP date) first, else `x-ratelimit-reset` (epoch seconds), else
 * backoff. Never less than the floor, plus up to 25% jitter so parallel callers spread out; capped.
 */
export function rateLimitDelay(
  headers: Readonly<Record<string, string | undefined>>,
  nowMs: number,
  random: number,
  policy: RetryPolicy,
): number {
  const hinted =
    parseRetryAfter(headers["retry-after"], nowMs) ?? parseRateLimitReset(headers["x-ratelimit-reset"], nowMs);
  const base = Math.max(policy.minRateLimitDelayMs, hinted ?? policy.minRateLimitDelayMs * 2);
  return Math.min(policy.maxRetryDelayMs, base * (1 + 0.25 * random));
}

/** `Retry-After: 3` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** `x-ratelimit-reset` is a UNIX time in seconds (not a duration) → milliseconds from now, at least 0. */
export function parseRateLimitReset(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - nowMs);
}
