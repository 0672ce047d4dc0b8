import { Auth0ApiError, Auth0PermissionsError } from "../errors";
import { describeHolder, type BatchListener, type Holder } from "../client/permissions-api";
import { describeAnswer, toleranceOf } from "../client/write-tolerance";
import { describePermission, type Permission } from "../permissions/permission";
import { difference, intersection } from "../permissions/permission-set";
import { holderGoneAfter } from "./holder-gone";
import type { TenantApi } from "./runtime";

/**
 * Deletes must not leave a stack stuck, nor report what did not happen. When a batch is refused
 * because a permission no longer exists (its API or scope was deleted), these fall back to one
 * request per permission not yet done, finish what can be finished, and name what could not. A
 * user or role counts as gone only on Auth0's own answer (see holder-gone.ts and the table in
 * client/write-tolerance.ts).
 */

/**
 * Removes the permissions; a gone holder counts as done. A permission Auth0 refuses is skipped only
 * once a read shows the holder does not hold it: a revoke is never reported without its effect.
 */
export async function removeEach(tenant: TenantApi, holder: Holder, permissions: readonly Permission[]): Promise<void> {
  const refused = await applyEach(
    tenant,
    holder,
    permissions,
    (batch, onBatch) => tenant.api.remove(holder, batch, onBatch),
    "DELETE",
    "revoke",
  );
  if (refused.length === 0) return;
  const stillHeld = intersection(refused, await tenant.api.list(holder));
  if (stillHeld.length > 0) {
    throw new Auth0PermissionsError(
      `Could not revoke ${stillHeld.map(describePermission).join(", ")} from ${describeHolder(holder)}: Auth0 refused ` +
        `the request, and the ${holder.kind} still holds ${stillHeld.length === 1 ? "it" : "them"}. Nothing is recorded ` +
        "as revoked; fix the cause named above and run the command again.",
    );
  }
}

/**
 * Adds the permissions back; returns those Auth0 refused (they no longer exist, or it rejects them),
 * each also named in a warning. A gone holder returns nothing: there is nothing left to restore to.
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
    "POST",
    "restore",
    onDone,
  );
}

async function applyEach(
  tenant: TenantApi,
  holder: Holder,
  permissions: readonly Permission[],
  apply: (batch: readonly Permission[], onBatch: BatchListener) => Promise<void>,
  method: string,
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
    if (await holderGoneAfter(tenant.api, holder, error, method)) {
      tenant.log(`${describeHolder(holder)} no longer exists; nothing to ${verb}.`);
      return [];
    }
  }
  // The holder exists and Auth0 refused a permission of the batch: one request per permission left.
  const refused: Permission[] = [];
  for (const permission of difference(permissions, done)) {
    try {
      await apply([permission], record);
    } catch (error) {
      if (toleranceOf(error, { method, holder: holder.kind }) !== "refused") {
        if (await holderGoneAfter(tenant.api, holder, error, method)) return [];
        throw error;
      }
      refused.push(permission);
      tenant.log(
        `warning: could not ${verb} ${describePermission(permission)} for ${describeHolder(holder)}: Auth0 answered ` +
          `${describeAnswer(error as Auth0ApiError)}; skipped.`,
      );
    }
  }
  return refused;
}
