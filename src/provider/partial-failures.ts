import { Auth0ApiError, isNotFound } from "../client/errors";
import { describeHolder, type Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import type { TenantApi } from "./runtime";

/**
 * Deletes must not leave a stack stuck. When a whole batch is refused because one permission no
 * longer exists (its API or scope was deleted), or because the user or role is gone, these fall
 * back to one request per permission, finish what can be finished, and name what could not.
 */

/** Removes the permissions; a gone holder or a gone permission counts as removed. */
export async function removeEach(tenant: TenantApi, holder: Holder, permissions: readonly Permission[]): Promise<void> {
  await applyEach(tenant, holder, permissions, (batch) => tenant.api.remove(holder, batch), "revoke");
}

/**
 * Adds the permissions back; returns those that could not be added because they no longer exist.
 * A gone holder returns nothing: there is nothing left to restore to.
 */
export async function restoreEach(tenant: TenantApi, holder: Holder, permissions: readonly Permission[]): Promise<Permission[]> {
  return applyEach(tenant, holder, permissions, (batch) => tenant.api.add(holder, batch), "restore");
}

async function applyEach(
  tenant: TenantApi,
  holder: Holder,
  permissions: readonly Permission[],
  apply: (batch: readonly Permission[]) => Promise<void>,
  verb: string,
): Promise<Permission[]> {
  if (permissions.length === 0) return [];
  try {
    await apply(permissions);
    return [];
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  if (await isGone(tenant, holder)) {
    tenant.log(`${describeHolder(holder)} no longer exists; nothing to ${verb}.`);
    return [];
  }
  const failed: Permission[] = [];
  for (const permission of permissions) {
    try {
      await apply([permission]);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      failed.push(permission);
      tenant.log(
        `warning: could not ${verb} ${describePermission(permission)} for ${describeHolder(holder)}: ` +
          `${(error as Auth0ApiError).auth0Message ?? `HTTP ${(error as Auth0ApiError).status}`}. It no longer exists in Auth0; skipped.`,
      );
    }
  }
  return failed;
}

/** 404 (gone) or 400 (refused as invalid): answers that say "this item", not "try again". */
function isRefusal(error: unknown): boolean {
  return error instanceof Auth0ApiError && (error.status === 404 || error.status === 400);
}

async function isGone(tenant: TenantApi, holder: Holder): Promise<boolean> {
  try {
    await tenant.api.list(holder);
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}
