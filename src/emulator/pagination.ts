import { invalidQuery } from "./api-errors";

/** The Management API's offset pagination: `page` (0-based), `per_page` (1..100, default 50), `include_totals`. */
export interface PageRequest {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

export const maximumPerPage = 100;
export const defaultPerPage = 50;
const pageParameters = ["page", "per_page", "include_totals"];

function integer(query: Record<string, string>, name: string, minimum: number, fallback: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalidQuery(`Expected type integer but found type string`, name);
  const value = Number(raw);
  if (value < minimum) throw invalidQuery(`Value ${value} is less than minimum ${minimum}`, name);
  return value;
}

/** Rejects query parameters an endpoint does not define, as Auth0 does ("Additional properties not allowed"). */
export function rejectUnknownParameters(query: Record<string, string>, allowed: readonly string[]): void {
  const extra = Object.keys(query).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw invalidQuery(`Additional properties not allowed: ${extra.join(",")}`);
}

/**
 * Reads the paging parameters. `per_page` above 100 is rejected with 400, or served as 100 with
 * `aboveMaximum: "clamp"` (Auth0's answer is an open unknown, auth0-api-facts.md §13.6).
 */
export function parsePageRequest(
  query: Record<string, string>,
  aboveMaximum: "reject" | "clamp",
  extraParameters: readonly string[] = [],
): PageRequest {
  rejectUnknownParameters(query, [...pageParameters, ...extraParameters]);
  const page = integer(query, "page", 0, 0);
  let perPage = integer(query, "per_page", 1, defaultPerPage);
  if (perPage > maximumPerPage) {
    if (aboveMaximum === "reject") {
      throw invalidQuery(`Value ${perPage} is greater than maximum ${maximumPerPage}`, "per_page");
    }
    perPage = maximumPerPage;
  }
  const totals = query["include_totals"];
  if (totals !== undefined && totals !== "true" && totals !== "false") {
    throw invalidQuery("Expected type boolean but found type string", "include_totals");
  }
  return { page, perPage, includeTotals: totals === "true" };
}

/**
 * One page of `items`: a bare array, or `{[listKey], start, limit, total}` with `include_totals=true`
 * (§3). A page past the end is empty, with `start = page * per_page`.
 */
export function paginate<T>(items: readonly T[], request: PageRequest, listKey: string): unknown {
  const start = request.page * request.perPage;
  const slice = items.slice(start, start + request.perPage);
  if (!request.includeTotals) return slice;
  return { [listKey]: slice, start, limit: request.perPage, total: items.length };
}
