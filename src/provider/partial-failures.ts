import { Auth0ApiError, isNotFound } from "../errors";
import { describeHolder, type BatchListener, type Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import { difference } from "../permissions/permission-set";
import type { TenantApi } from "./runtime";

/**
 * Deletes must not leave a stack stuck. When a batch is refused because one permission no longer
 * exists (its API or scope was deleted), or because the user or role is gone, these fall back to
 * one request per permission not yet done, finish what can be finished, and name what could not.
 */

/** Removes the permissions; a gone holder or a gone permission counts as removed. */
export async function removeEach(tenant: TenantApi, holder: Holder, permissions: readonly Permission[]): Promise<void> {
  await applyEach(tenant, holder, permissions, (batch, onBatch) => tenant.api.remove(holder, batch, onBatch), "revoke");
}

/**
 * Adds the permissions back; returns those that could not be added because they no longer exist.
 * A gone holder returns nothing: there is nothing left to restore to.
 */
export async function restoreEach(
  tenant: TenantApi,
  holder: Holder,
  permissions: readonly Permission[],
  onDone: BatchListener = () => {},
): Promise<Permission[]> {
  return applyEach(
    tenant,
    holder,
    permissions,
    (batch, onBatch) => tenant.api.add(holder, batch, onBatch),
    "restore",
    onDone,
  );
}

async function applyEach(
  tenant: TenantApi,
  holder: Holder,
  permissions: readonly Permission[],
  apply: (batch: readonly Permission[], onBatch: BatchListener) => Promise<void>,
  verb: string,
  onDone: BatchListener = () => {},
): Promise<Permission[]> {
  if (permissions.length === 0) return [];
  const done: Permission[] = [];
  const record: BatchListener = (batch) => {
    done.push(...batch);
    onDone(batch);
  };
  try {
    await apply(permissions, record);
    return [];
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  if (await isGone(tenant, holder)) {
    tenant.log(`${describeHolder(holder)} no longer exists; nothing to ${verb}.`);
    return [];
  }
  const failed: Permission[] = [];
  for (const permission of difference(permissions, done)) {
    try {
      await apply([permission], record);
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

/**
 * Answers that say "this item is gone", not "try again": 404, or a 400 saying something does not
 * exist (Auth0's answer for an unknown permission name is not recorded; the emulator's default is a
 * 400 "... does not exist ..."). Any other 400, such as the 1000-permission cap, is a real error.
 */
function isRefusal(error: unknown): boolean {
  if (!(error instanceof Auth0ApiError)) return false;
  return error.status === 404 || (error.status === 400 && /does not exist/i.test(error.auth0Message ?? ""));
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
