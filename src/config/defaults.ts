/**
 * Every tuning default, in one place. The README's configuration table lists these same values:
 * test/unit/config/settings.test.ts checks both that resolveSettings() applies them and that the
 * README says so.
 */
export const DEFAULT_TUNING = {
  /** Client-side cap on requests per second to one tenant. 0 = no fixed cap: pace by Auth0's x-ratelimit headers. */
  requestsPerSecond: 0,
  /** Requests allowed at once to one tenant, across all resources of the deployment. */
  maxConcurrentRequests: 8,
  /** Retries of one request after 429, 408, 5xx or a network error. */
  maxRetries: 6,
  /** Time budget for one request including all its retries, in milliseconds. */
  retryBudgetMs: 300_000,
  /** Longest single wait between two attempts, in milliseconds. */
  maxRetryDelayMs: 30_000,
  /**
   * Total deadline of one HTTP attempt, token requests included: connect, TLS, headers and the whole
   * body, in milliseconds. A server that trickles its answer fails the attempt at this point.
   */
  requestTimeoutMs: 30_000,
  /** Permissions per POST or DELETE request. Auth0 documents no per-request maximum; 100 keeps bodies small. */
  batchSize: 100,
  /**
   * Largest response body accepted, in bytes (4 MiB). The largest real answer, a page of 100 permissions,
   * is about 25 KB; a bigger body fails the attempt with an error that says so.
   */
  maxResponseBytes: 4_194_304,
} as const;

export type TuningSettings = { -readonly [K in keyof typeof DEFAULT_TUNING]: number };

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms with a
 * TimeoutOverflowWarning. Every range below stays far under it, and every timer is clamped to it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Clamps a delay to what a Node timer can hold, and to at least 0. */
export function clampTimerMs(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

/**
 * The accepted range of every tuning value, checked when the settings are read (the README lists them).
 * `integer: false` only for requestsPerSecond, which may be fractional (0.5 = one request every 2 s).
 */
export const TUNING_RANGES: { readonly [K in keyof TuningSettings]: TuningRange } = {
  requestsPerSecond: { min: 0, max: 1_000, integer: false },
  maxConcurrentRequests: { min: 1, max: 64, integer: true },
  maxRetries: { min: 0, max: 20, integer: true },
  retryBudgetMs: { min: 1_000, max: 3_600_000, integer: true },
  // A 429 wait is never under 1 s (Auth0 can report a reset equal to now), so its cap can't be either.
  maxRetryDelayMs: { min: 1_000, max: 600_000, integer: true },
  requestTimeoutMs: { min: 100, max: 600_000, integer: true },
  // Auth0's permission cap per user and per role.
  batchSize: { min: 1, max: 1_000, integer: true },
  // 64 KiB .. 256 MiB.
  maxResponseBytes: { min: 65_536, max: 268_435_456, integer: true },
};

export interface TuningRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** Log every request line (method, path, status, time; never a header or a body). */
export const DEFAULT_DEBUG = false;

/** Algorithms for the Private Key JWT client assertion, as `@pulumi/auth0` accepts them. */
export const CLIENT_ASSERTION_SIGNING_ALGS = ["RS256", "RS384", "PS256"] as const;
export type ClientAssertionSigningAlg = (typeof CLIENT_ASSERTION_SIGNING_ALGS)[number];
export const DEFAULT_CLIENT_ASSERTION_SIGNING_ALG: ClientAssertionSigningAlg = "RS256";

/** Lifetime of one client assertion (its `exp` - `iat`); Auth0 accepts at most 60 s. */
export const CLIENT_ASSERTION_LIFETIME_S = 60;

/** The namespace of this package's own stack config keys, e.g. `pulumi-auth0-permissions:maxRetries`. */
export const CONFIG_NAMESPACE = "pulumi-auth0-permissions";

/** Auth0's own limit of directly assigned permissions per user and per role. */
export const AUTH0_PERMISSION_CAP = 1000;

/** Auth0's largest page size for permission lists. */
export const AUTH0_MAX_PAGE_SIZE = 100;
