/**
 * What one answer says about the tenant's rate limit, parsed once: every other part of the
 * rate-limit boundary reads this, never the headers. Times are absolute (epoch ms), so the
 * observation means the same whenever it is used.
 *
 * Headers that are absent, malformed or absurd (negative, fractional counts, a number too long to
 * be a count or an epoch second) are left out, as if the server had not sent them: the model then
 * falls back to what it knows without them. Values far ahead are kept as sent; the model decides
 * how long it is willing to wait on them.
 */
export interface RateLimitObservation {
  /** When the answer arrived. */
  readonly receivedAt: number;
  /** The answer was 429: the request took no token, and the bucket is empty. */
  readonly rejected: boolean;
  /** `x-ratelimit-limit`: the bucket size (burst); only when positive. */
  readonly limit: number | undefined;
  /** `x-ratelimit-remaining`: whole tokens left after this request. */
  readonly remaining: number | undefined;
  /** `x-ratelimit-reset`, a UNIX time in seconds ("when tokens are next added"), as epoch ms. */
  readonly resetAt: number | undefined;
  /** `Retry-After` (seconds, or an HTTP date), as epoch ms; never before `receivedAt`. */
  readonly retryAt: number | undefined;
}

/** Longest digit string read as a count: a bucket of a billion tokens is already absurd. */
const MAX_COUNT_DIGITS = 9;
/** Epoch seconds have 10 digits until the year 2286; 11 leaves room, and stays far from Infinity. */
const MAX_EPOCH_SECONDS_DIGITS = 11;

export function parseRateLimitHeaders(
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  receivedAt: number,
): RateLimitObservation {
  const limit = parseDigits(headers["x-ratelimit-limit"], MAX_COUNT_DIGITS);
  const reset = parseDigits(headers["x-ratelimit-reset"], MAX_EPOCH_SECONDS_DIGITS);
  return {
    receivedAt,
    rejected: status === 429,
    limit: limit !== undefined && limit > 0 ? limit : undefined,
    remaining: parseDigits(headers["x-ratelimit-remaining"], MAX_COUNT_DIGITS),
    resetAt: reset === undefined ? undefined : reset * 1000,
    retryAt: parseRetryAfter(headers["retry-after"], receivedAt),
  };
}

/** `Retry-After: 3` (seconds, a fraction allowed) or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` → epoch ms. */
function parseRetryAfter(value: string | undefined, receivedAt: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}(\.\d{1,3})?$/.test(trimmed)) return receivedAt + Number(trimmed) * 1000;
  // An HTTP date names a weekday or month; without a letter, Date.parse would read "-5" or "2026-11-23" as a date.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(receivedAt, date) : undefined;
}

function parseDigits(value: string | undefined, maxDigits: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= maxDigits && /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}
