import { AUTH0_MAX_PAGE_SIZE } from "../config/defaults";
import {
  describePermission,
  fromWire,
  permissionKey,
  toWire,
  type Permission,
  type WirePermission,
} from "../permissions/permission";
import { canonicalize, chunk, difference, type PermissionSet } from "../permissions/permission-set";
import { Auth0ApiError, Auth0PermissionsError, UnrecognizedAnswerError, type OperationContext } from "../errors";
import { describeAnswer, toleranceOf } from "./write-tolerance";
import type { ManagementClient } from "./management-client";

/** Whose permissions: a user's direct grants, or a role's. */
export interface Holder {
  readonly kind: "user" | "role";
  readonly id: string;
}

/** Told of each batch a write completed. */
export type BatchListener = (batch: readonly Permission[]) => void;

/** Enough pages for Auth0's cap of 1000 per holder many times over; stops a server that never ends a list. */
const MAX_PAGES = 200;

/**
 * The six permission endpoints, with pagination and batching. Maps Auth0's snake_case to our
 * camelCase here and nowhere else.
 */
export class PermissionsApi {
  constructor(
    private readonly client: ManagementClient,
    private readonly batchSize: number,
  ) {}

  /**
   * Every permission the holder has, all pages. For users, only direct grants: entries whose
   * `sources` include `DIRECT`. Permissions inherited through roles are never direct grants.
   * The pages must add up (`checkPage`); a server that repeats a page or under-reports `total`
   * fails the read instead of making an absent permission look removed.
   */
  async list(holder: Holder): Promise<PermissionSet> {
    const context = { action: "list the permissions of", target: describeHolder(holder) };
    const collected: Permission[] = [];
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const path = `${permissionsPath(holder)}?per_page=${AUTH0_MAX_PAGE_SIZE}&page=${page}&include_totals=true`;
      const response = await this.client.request({ method: "GET", path, context });
      const { items, total } = parsePage(response.data, context);
      for (const item of items) {
        const permission = fromWire(item);
        const key = permissionKey(permission);
        if (seen.has(key)) throw pagesDisagree(context, path, `${describePermission(permission)} was listed twice`);
        seen.add(key);
        if (holder.kind === "role" || isDirect(item)) collected.push(permission);
      }
      const verdict = checkPage({ pageSize: AUTH0_MAX_PAGE_SIZE, items: items.length, seen: seen.size, total });
      if (verdict.kind === "inconsistent") throw pagesDisagree(context, path, verdict.reason);
      if (verdict.kind === "done") return canonicalize(collected);
    }
    throw new UnrecognizedAnswerError(
      `Could not ${context.action} ${context.target}: the list did not end within ${MAX_PAGES} pages.`,
    );
  }

  /**
   * Whether the user or role itself exists: `GET /api/v2/users/{id}` (or `/roles/{id}`). "gone" only
   * on Auth0's own "does not exist" answer; any other 404 is not recognized, and fails naming it.
   */
  async confirmHolder(holder: Holder): Promise<"exists" | "gone"> {
    const path = holderPath(holder);
    const context = { action: "confirm the existence of", target: describeHolder(holder) };
    try {
      await this.client.request({ method: "GET", path, context });
      return "exists";
    } catch (error) {
      const answer = toleranceOf(error, { method: "GET", holder: holder.kind });
      if (answer === "alreadyGone") return "gone";
      if (answer === "unsure" && error instanceof Auth0ApiError) {
        throw new UnrecognizedAnswerError(
          `Could not ${context.action} ${context.target}: GET ${path} answered ${describeAnswer(error)}, which is not ` +
            `Auth0's answer for a missing ${holder.kind}. Check that auth0:domain is the tenant's own domain (not a ` +
            "proxy or another site), then retry.",
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * POST in batches. Assigning what is already assigned is a no-op (and tolerated if Auth0 answers
   * 409). `onBatch` hears of each batch that succeeded, so a caller can keep partial progress.
   */
  async add(holder: Holder, permissions: readonly Permission[], onBatch: BatchListener = () => {}): Promise<void> {
    const action = holder.kind === "user" ? "grant permissions to" : "add permissions to";
    for (const batch of chunk(canonicalize(permissions), this.batchSize)) {
      const context = { action, target: `${describeHolder(holder)} (${summarize(batch)})` };
      try {
        await this.post(holder, batch, context);
      } catch (error) {
        const answer = toleranceOf(error, { method: "POST", holder: holder.kind });
        if (answer !== "alreadyGranted") throw error;
        // Some tenants may refuse to assign an already assigned permission: send only the missing ones.
        const missing = difference(batch, await this.list(holder));
        if (missing.length > 0) await this.post(holder, missing, context);
      }
      onBatch(batch);
    }
  }

  /** DELETE in batches. Removing what is not assigned is a no-op (Auth0 answers 204). */
  async remove(holder: Holder, permissions: readonly Permission[], onBatch: BatchListener = () => {}): Promise<void> {
    const action = holder.kind === "user" ? "revoke permissions from" : "remove permissions from";
    for (const batch of chunk(canonicalize(permissions), this.batchSize)) {
      await this.client.request({
        method: "DELETE",
        path: permissionsPath(holder),
        json: { permissions: batch.map(toWire) },
        context: { action, target: `${describeHolder(holder)} (${summarize(batch)})` },
      });
      onBatch(batch);
    }
  }

  private async post(holder: Holder, batch: readonly Permission[], context: OperationContext): Promise<void> {
    await this.client.request({
      method: "POST",
      path: permissionsPath(holder),
      json: { permissions: batch.map(toWire) },
      context,
    });
  }
}

export function permissionsPath(holder: Holder): string {
  return `${holderPath(holder)}/permissions`;
}

/** `/api/v2/users/{id}` or `/api/v2/roles/{id}`: the holder itself, to confirm it exists. */
export function holderPath(holder: Holder): string {
  return `/api/v2/${holder.kind}s/${encodePathSegment(holder.id)}`;
}

/**
 * One path segment, percent-encoded as Auth0 expects (`auth0|x` as `auth0%7Cx`). Never a dot
 * segment: `.` and `..` are sent as `%2E` and `%2E%2E`, so no proxy can resolve them into another
 * endpoint. A string with a lone surrogate has no UTF-8 form and fails here, named, not as a URIError.
 */
export function encodePathSegment(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch (error) {
    throw new Auth0PermissionsError(
      `The id ${JSON.stringify(value)} contains a lone UTF-16 surrogate, which has no UTF-8 form; nothing was sent. ` +
        "Use the id exactly as Auth0 shows it.",
      { cause: error },
    );
  }
  return encoded === "." || encoded === ".." ? encoded.replace(/\./g, "%2E") : encoded;
}

export function describeHolder(holder: Holder): string {
  return `${holder.kind} '${holder.id}'`;
}

function summarize(batch: readonly Permission[]): string {
  const first = batch[0];
  if (first === undefined) return "none";
  return batch.length === 1
    ? describePermission(first)
    : `${batch.length} permissions, first ${describePermission(first)}`;
}

interface ListedPermission extends WirePermission {
  sources?: unknown;
}

/** Accepts `{permissions, total}` (include_totals=true) and a bare array (a server that ignores it). */
function parsePage(data: unknown, context: OperationContext): { items: ListedPermission[]; total: number | undefined } {
  const body = data as { permissions?: unknown; total?: unknown } | unknown[] | undefined;
  const items = Array.isArray(body) ? body : body?.permissions;
  const total = Array.isArray(body) ? undefined : body?.total;
  const totalOk = total === undefined || (typeof total === "number" && Number.isInteger(total) && total >= 0);
  if (!Array.isArray(items) || !items.every(isListedPermission) || !totalOk) {
    throw new UnrecognizedAnswerError(
      `Could not ${context.action} ${context.target}: Auth0 returned an unexpected list shape.`,
    );
  }
  return { items, total: total as number | undefined };
}

export type PageVerdict =
  { readonly kind: "more" } | { readonly kind: "done" } | { readonly kind: "inconsistent"; readonly reason: string };

/**
 * Whether a list goes on after this page, from what was read so far. Pages must advance: the count
 * read never exceeds `total`, a page that ends the list early (empty while `total` says more) is
 * an error, and without a `total` a full page means another one. Exact `start` values are not
 * required: no recording shows more than page 0 of a permission list (auth0-api-facts.md §14).
 * Entries seen twice are caught by the caller. Pure.
 */
export function checkPage(page: {
  readonly pageSize: number;
  /** Entries on this page. */
  readonly items: number;
  /** Distinct entries read so far, this page included. */
  readonly seen: number;
  readonly total: number | undefined;
}): PageVerdict {
  if (page.total === undefined) return page.items < page.pageSize ? { kind: "done" } : { kind: "more" };
  if (page.seen > page.total) {
    return { kind: "inconsistent", reason: `${page.seen} entries were listed but total says ${page.total}` };
  }
  if (page.seen === page.total) return { kind: "done" };
  if (page.items === 0) {
    return { kind: "inconsistent", reason: `an empty page after ${page.seen} entries, but total says ${page.total}` };
  }
  return { kind: "more" };
}

function pagesDisagree(context: OperationContext, path: string, reason: string): UnrecognizedAnswerError {
  return new UnrecognizedAnswerError(
    `Could not ${context.action} ${context.target}: the pages of the list disagree (${reason}, at GET ${path}). ` +
      "Nothing was concluded from it; retry, and if it persists, check that auth0:domain is the tenant itself.",
  );
}

function isListedPermission(value: unknown): value is ListedPermission {
  const item = value as Partial<WirePermission> | null;
  return (
    typeof item === "object" &&
    item !== null &&
    typeof item.permission_name === "string" &&
    typeof item.resource_server_identifier === "string"
  );
}

/**
 * Direct grant = `sources` includes `source_type: "DIRECT"`, as the facts sheet recommends: correct
 * whether or not Auth0 lists role-inherited entries. An entry without `sources` is not counted.
 */
function isDirect(item: ListedPermission): boolean {
  if (!Array.isArray(item.sources)) return false;
  return item.sources.some(
    (s) => typeof s === "object" && s !== null && (s as { source_type?: unknown }).source_type === "DIRECT",
  );
}
