/**
 * The retry decision, pure: what happened, how many attempts so far, how much time has passed →
 * retry after how long, or stop. No I/O and no clock reads, so every rule is table-tested.
 *
 * When a request may go again after a 429 is not decided here: the rate-limit boundary
 * (`rate-limit/`) holds every request to the tenant, retries included, until the tenant's bucket
 * allows one, and gives up when that would outlast the retry budget.
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly retryBudgetMs: number;
  /** Longest single wait before another attempt; a longer backoff is cut to it. */
  readonly maxRetryDelayMs: number;
  /** First backoff step for 408/5xx/network errors; doubles each attempt. */
  readonly baseDelayMs: number;
}

export const BASE_BACKOFF_MS = 500;

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
  /** A number in [0, 1), for jitter. */
  readonly random: number;
}

export type RetryDecision =
  | {
      readonly retry: true;
      /** Backoff before the next attempt; 0 after a 429, whose wait is the rate-limit boundary's. */
      readonly delayMs: number;
      readonly reason: string;
    }
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
  const delayMs = isRateLimited(input.outcome) ? 0 : Math.round(backoffDelay(input.attempts, input.random, policy));
  if (input.elapsedMs + delayMs > policy.retryBudgetMs) {
    return {
      retry: false,
      reason: `${reason}; gave up after ${input.attempts} attempts (retry budget ${policy.retryBudgetMs} ms)`,
    };
  }
  return { retry: true, delayMs, reason };
}

function isRateLimited(outcome: AttemptOutcome): boolean {
  return outcome.kind === "response" && outcome.status === 429;
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
