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
  /** Timeout of one HTTP attempt, in milliseconds. */
  requestTimeoutMs: 30_000,
  /** Permissions per POST or DELETE request. Auth0 documents no per-request maximum; 100 keeps bodies small. */
  batchSize: 100,
} as const;

/** Log every request line (method, path, status, time; never a header or a body). */
export const DEFAULT_DEBUG = false;

export type TuningSettings = { -readonly [K in keyof typeof DEFAULT_TUNING]: number };

/** The namespace of this package's own stack config keys, e.g. `pulumi-auth0-permissions:maxRetries`. */
export const CONFIG_NAMESPACE = "pulumi-auth0-permissions";

/** Auth0's own limit of directly assigned permissions per user and per role. */
export const AUTH0_PERMISSION_CAP = 1000;

/** Auth0's largest page size for permission lists. */
export const AUTH0_MAX_PAGE_SIZE = 100;
