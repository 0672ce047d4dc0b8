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

/** Fixed cost of an entry (object, `at`, status) beyond its strings, in bytes. */
const entryOverheadBytes = 160;

/** An estimate of the memory an entry holds: two bytes per UTF-16 unit of its strings, plus overhead. */
export function entryBytes(entry: RequestLogEntry): number {
  let units = entry.method.length + entry.path.length;
  for (const key in entry.query) units += key.length + (entry.query[key]?.length ?? 0) + 16;
  return entryOverheadBytes + 2 * units;
}

/**
 * Every request the emulator served (token requests included, control-surface requests excluded), oldest
 * first. Entries carry no header and no body, so no token or secret can end up here. Bounded both by count
 * (`limit`) and by estimated bytes (`maxBytes`): the oldest entries go first.
 */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private sizes: number[] = [];
  /** Index of the oldest live entry; dropped ones before it are compacted away in chunks. */
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}

  record(method: string, path: string, query: Record<string, string>, status: number): void {
    const entry = { method, path, query: redactQuery(query), status, at: new Date(this.now()).toISOString() };
    const size = entryBytes(entry);
    this.entries.push(entry);
    this.sizes.push(size);
    this.bytes += size;
    while (
      this.entries.length - this.head > this.limit ||
      (this.bytes > this.maxBytes && this.head < this.entries.length)
    ) {
      this.bytes -= this.sizes[this.head] ?? 0;
      this.head += 1;
    }
    // Compact in chunks so a long benchmark stays O(1) per request on average.
    if (this.head > 1000 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** Estimated bytes held by the live entries. */
  get size(): number {
    return this.bytes;
  }

  list(): RequestLogEntry[] {
    return this.entries.slice(this.head).map((entry) => ({ ...entry, query: { ...entry.query } }));
  }

  clear(): void {
    this.entries = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }
}
