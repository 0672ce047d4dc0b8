/** What a Management API handler receives once auth, scopes and body reading are done. */
export interface ApiRequest {
  /** The percent-decoded `{id}` path segment, or "" for routes without one. */
  id: string;
  query: Record<string, string>;
  /** The decoded body (JSON or form), or undefined for routes that take none. */
  body: unknown;
}
