import type { RequestLogEntry } from "./types";

/** Query parameters whose values are never recorded. */
const secretParameter = /secret|token|password|assertion|code|authorization/i;

export function redactQuery(query: Record<string, string>): Record<string, string> {
  let redacted: Record<string, string> | undefined;
  for (const key of Object.keys(query)) {
    if (secretParameter.test(key)) {
      redacted ??= { ...query };
      redacted[key] = "[redacted]";
    }
  }
  return redacted ?? query;
}

/**
 * Every request the emulator served (token requests included, control-surface requests excluded), oldest
 * first. Entries carry no header and no body, so no token or secret can end up here.
 */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  record(method: string, path: string, query: Record<string, string>, status: number): void {
    this.entries.push({ method, path, query: redactQuery(query), status, at: new Date(this.now()).toISOString() });
    // Drop in chunks so a long benchmark stays O(1) per request on average.
    if (this.entries.length > this.limit + 1000) this.entries = this.entries.slice(-this.limit);
  }

  list(): RequestLogEntry[] {
    const start = Math.max(0, this.entries.length - this.limit);
    return this.entries.slice(start).map((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  clear(): void {
    this.entries = [];
  }
}
