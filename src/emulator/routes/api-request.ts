/** What a Management API handler receives once auth, scopes and body reading are done. */
export interface ApiRequest {
  /** The percent-decoded `{id}` path segment, or "" for routes without one. */
  id: string;
  /** Query parameters; the last value of a repeated name wins. */
  query: Record<string, string>;
  /** The same query with every value, for parameters that may repeat (`identifiers`). */
  params: URLSearchParams;
  /** The decoded body (JSON or form), or undefined for routes that take none. */
  body: unknown;
}
