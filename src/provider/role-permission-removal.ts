import type * as pulumi from "@pulumi/pulumi";
import type { BatchListener, Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import { canonicalize, difference, intersection, union } from "../permissions/permission-set";
import { permissionsDetailedDiff } from "./detailed-diff";
import { withDetailedDiff } from "./detailed-diff-bridge";
import { driftWarning } from "./drift-warning";
import { checkOptionalBoolean, checkResourceInputs, permissionsChanged, replacesOnChange } from "./inputs";
import { holderGoneAfter } from "./holder-gone";
import { restoreEach } from "./partial-failures";
import { PartialProgressError } from "./partial-progress";
import type { ProviderRuntime, TenantApi } from "./runtime";
import type { Handlers } from "./index";
import { STATE_SCHEMA_VERSION, assertSameTenant, parseRoleState, type RolePermissionRemovalState } from "./state";

/**
 * RolePermissionRemoval keeps the listed permissions off a role and records what it took off.
 * - create: GET the role's permissions (every page), DELETE the listed ones that are present, and
 *           record exactly those in `removedPermissions` (a listed permission that was not on the role
 *           is not recorded, so it is never "restored").
 * - read:   a listed permission back on the role is drift; the next `pulumi up` removes it again.
 * - update: newly listed permissions are removed (and recorded); permissions no longer listed are
 *           restored if this resource removed them and restoreOnDelete is set.
 * - delete: with restoreOnDelete (default true), POST exactly `removedPermissions` back. A deleted
 *           role counts as done; a recorded permission that no longer exists is skipped and named.
 */
export interface RolePermissionRemovalInputs {
  readonly roleId: string;
  readonly permissions: readonly Permission[];
  readonly restoreOnDelete: boolean;
}

const RESOURCE = "RolePermissionRemoval";

export const rolePermissionRemovalHandlers = (runtime: ProviderRuntime): Handlers => ({
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkResourceInputs(news, "roleId", runtime.settings, (failures) => ({
      restoreOnDelete: checkOptionalBoolean(news["restoreOnDelete"], "restoreOnDelete", true, failures),
    }));
  },

  async diff(id: string, stored: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const olds = parseRoleState(stored, id);
    assertSameTenant(olds.domain, runtime.settings().domain, describe(olds.roleId));
    const replaces = replacesOnChange("roleId", olds.roleId, news["roleId"]);
    const restoreChanged = news["restoreOnDelete"] !== olds.restoreOnDelete;
    const result = {
      changes: replaces.length > 0 || permissionsChanged(olds.permissions, news["permissions"]) || restoreChanged,
      replaces,
      deleteBeforeReplace: true,
    };
    const scalars = [
      ...replaces.map((property) => ({ property, replaces: true })),
      ...(restoreChanged ? [{ property: "restoreOnDelete", replaces: false }] : []),
    ];
    return withDetailedDiff(result, permissionsDetailedDiff(olds.permissions, news["permissions"], scalars));
  },

  async create(inputs: RolePermissionRemovalInputs): Promise<pulumi.dynamic.CreateResult> {
    const tenant = runtime.tenant();
    const removed: Permission[] = [];
    try {
      await removePresent(tenant, role(inputs.roleId), inputs.permissions, (batch) => removed.push(...batch));
    } catch (error) {
      if (removed.length === 0) throw error;
      // Listing only what was removed makes the next `pulumi up` an update that removes the rest.
      const done = { ...inputs, permissions: canonicalize(removed) };
      throw new PartialProgressError(
        error,
        inputs.roleId,
        toState(tenant, done, removed, new Date().toISOString()),
        inputs,
      );
    }
    return {
      id: inputs.roleId,
      outs: toState(tenant, inputs, removed, removed.length > 0 ? new Date().toISOString() : undefined),
    };
  },

  async read(id: string, stored: unknown): Promise<pulumi.dynamic.ReadResult> {
    const props = parseRoleState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.roleId));
    try {
      const current = await tenant.api.list(role(props.roleId));
      // A listed permission that is back on the role is no longer "removed": show it as drift.
      const stillRemoved = difference(props.permissions, current);
      const back = intersection(props.permissions, current);
      const warning = driftWarning(describe(props.roleId), back, "back on the role", "removes them again");
      if (warning !== undefined) tenant.log(warning);
      return { id, props: { ...props, permissions: stillRemoved } };
    } catch (error) {
      // Only Auth0's own "does not exist" (or GET /roles/{id} confirming it) drops the resource from state.
      if (await holderGoneAfter(tenant.api, role(props.roleId), error, "GET")) return { id: "" };
      throw error;
    }
  },

  async update(id: string, stored: unknown, news: RolePermissionRemovalInputs): Promise<pulumi.dynamic.UpdateResult> {
    const olds = parseRoleState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(olds.domain, tenant.settings.domain, describe(olds.roleId));
    const holder = role(news.roleId);
    // olds.permissions may be narrowed by a refresh (drift): what is listed now but not there is removed (again).
    const newlyListed = difference(news.permissions, olds.permissions);
    const removedNow: Permission[] = [];
    const restoredNow: Permission[] = [];
    try {
      await removePresent(tenant, holder, newlyListed, (batch) => removedNow.push(...batch));
      const recorded = union(olds.removedPermissions, removedNow);
      // Compared with the record, not with olds.permissions, which a refresh may have narrowed.
      const toRestore = difference(recorded, news.permissions);
      if (news.restoreOnDelete && toRestore.length > 0) {
        const notRestored = await restoreEach(tenant, holder, toRestore, (batch) => restoredNow.push(...batch));
        warnNotRestored(tenant, news.roleId, notRestored);
      }
      const stillRecorded = intersection(recorded, news.permissions);
      const removedAt =
        removedNow.length > 0 ? new Date().toISOString() : stillRecorded.length > 0 ? olds.removedAt : undefined;
      return { outs: toState(tenant, news, stillRecorded, removedAt) };
    } catch (error) {
      if (removedNow.length === 0 && restoredNow.length === 0) throw error;
      // Keep the record true to the tenant; the next `pulumi up` redoes whatever is left.
      const done = { ...news, permissions: difference(union(olds.permissions, removedNow), restoredNow) };
      const recorded = difference(union(olds.removedPermissions, removedNow), restoredNow);
      const removedAt = removedNow.length > 0 ? new Date().toISOString() : olds.removedAt;
      throw new PartialProgressError(error, olds.roleId, toState(tenant, done, recorded, removedAt), news);
    }
  },

  async delete(id: string, stored: unknown): Promise<void> {
    const props = parseRoleState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.roleId));
    if (props.restoreOnDelete === false || props.removedPermissions.length === 0) return;
    const notRestored = await restoreEach(tenant, role(props.roleId), props.removedPermissions);
    warnNotRestored(tenant, props.roleId, notRestored);
  },
});

/** Reads the role and removes the listed permissions it has; returns exactly what it found to remove. */
async function removePresent(
  tenant: TenantApi,
  holder: Holder,
  listed: readonly Permission[],
  onBatch: BatchListener,
): Promise<readonly Permission[]> {
  if (listed.length === 0) return [];
  const present = intersection(listed, await tenant.api.list(holder));
  if (present.length > 0) await tenant.api.remove(holder, present, onBatch);
  return present;
}

function warnNotRestored(tenant: TenantApi, roleId: string, notRestored: readonly Permission[]): void {
  if (notRestored.length === 0) return;
  tenant.log(
    `warning: ${describe(roleId)} could not restore ${notRestored.length} permission(s) Auth0 refused (deleted, or ` +
      `rejected; see the warnings above): ` +
      `${notRestored.map(describePermission).join(", ")}.`,
  );
}

function role(id: string): Holder {
  return { kind: "role", id };
}

function describe(roleId: string): string {
  return `${RESOURCE} of role '${roleId}'`;
}

function toState(
  tenant: TenantApi,
  inputs: RolePermissionRemovalInputs,
  removed: readonly Permission[],
  removedAt: string | undefined,
): RolePermissionRemovalState {
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    domain: tenant.settings.domain,
    roleId: inputs.roleId,
    permissions: inputs.permissions,
    restoreOnDelete: inputs.restoreOnDelete,
    removedPermissions: canonicalize(removed),
    // Absent rather than undefined: the dynamic provider server sends outputs as a protobuf Struct,
    // which cannot hold undefined ("Unexpected struct type."), and would fail the step after the
    // tenant was already changed.
    ...(removedAt === undefined ? {} : { removedAt }),
  };
}
