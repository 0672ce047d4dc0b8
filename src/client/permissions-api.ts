import { AUTH0_MAX_PAGE_SIZE } from "../config/defaults";
import { describePermission, fromWire, toWire, type Permission, type WirePermission } from "../permissions/permission";
import { canonicalize, chunk, difference } from "../permissions/permission-set";
import { Auth0ApiError, Auth0PermissionsError, type OperationContext } from "../errors";
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
   */
  async list(holder: Holder): Promise<Permission[]> {
    const context = { action: "list the permissions of", target: describeHolder(holder) };
    const collected: Permission[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.client.request({
        method: "GET",
        path: `${permissionsPath(holder)}?per_page=${AUTH0_MAX_PAGE_SIZE}&page=${page}&include_totals=true`,
        context,
      });
      const { items, total } = parsePage(response.data, context);
      for (const item of items) {
        if (holder.kind === "role" || isDirect(item)) collected.push(fromWire(item));
      }
      const seen = page * AUTH0_MAX_PAGE_SIZE + items.length;
      const done = total === undefined ? items.length < AUTH0_MAX_PAGE_SIZE : seen >= total || items.length === 0;
      if (done) return canonicalize(collected);
    }
    throw new Auth0PermissionsError(`Could not ${context.action} ${context.target}: more than ${MAX_PAGES} pages.`);
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
        if (!(error instanceof Auth0ApiError && error.status === 409)) throw error;
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
  if (!Array.isArray(items) || !items.every(isListedPermission)) {
    throw new Auth0PermissionsError(
      `Could not ${context.action} ${context.target}: Auth0 returned an unexpected list shape.`,
    );
  }
  const total = !Array.isArray(body) && typeof body?.total === "number" ? body.total : undefined;
  return { items, total };
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
