import type * as pulumi from "@pulumi/pulumi";
import type { Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import { canonicalize, difference, intersection, union, type PermissionSet } from "../permissions/permission-set";
import { checkOptionalBoolean, checkResourceInputs, isUnknown, permissionsChanged, replacesOnChange } from "./inputs";
import { permissionsDetailedDiff, removalScalarChanges } from "./detailed-diff";
import { withDetailedDiff } from "./detailed-diff-bridge";
import { holderGoneAfter } from "./holder-gone";
import { restoreEach } from "./partial-failures";
import type { ProviderRuntime, TenantApi } from "./runtime";
import type { Handlers } from "./index";
import { STATE_SCHEMA_VERSION, assertSameTenant, parsePlanState, type RemovalPlanState } from "./state";

/**
 * RolePermissionRemovalPlan: the record of a RolePermissionRemoval, saved before anything is removed.
 *
 * Pulumi saves a dynamic resource's outputs only when its create or update returns. A run killed
 * (SIGKILL) after Auth0 removed the permissions and before that return loses whatever the removing
 * step meant to record, and a later destroy could not put it back. So each RolePermissionRemoval
 * declares this resource first, and takes its `plannedPermissions` as an input:
 * - create / update: read the role (every page) and record the listed permissions it has. Nothing is
 *   written to the tenant, so the record is in the stack before the removal's DELETE begins. A
 *   planned permission no longer listed stays planned while it is off the role; the removal restores
 *   it if it has no record of it (its step was killed), and a refresh or update that sees it back
 *   on the role forgets it.
 * - read (refresh): a listed permission back on the role is recorded too; the next `pulumi up`
 *   removes it again, after this record was saved.
 * - delete: with restoreOnDelete, put back what was recorded. The removal is deleted first and
 *   normally restored all of it already (adding a permission the role has is a no-op); this matters
 *   when the removal's own create was killed and never saved.
 */

interface RemovalPlanInputs {
  readonly roleId: string;
  readonly permissions: readonly Permission[];
  readonly restoreOnDelete: boolean;
}

const RESOURCE = "RolePermissionRemovalPlan";

export const removalPlanHandlers = (runtime: ProviderRuntime): Handlers => ({
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    return checkResourceInputs(news, "roleId", runtime.settings, (failures) => ({
      restoreOnDelete: checkOptionalBoolean(news["restoreOnDelete"], "restoreOnDelete", true, failures),
    }));
  },

  async diff(id: string, stored: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const olds = parsePlanState(stored, id);
    assertSameTenant(olds.domain, runtime.settings().domain, describe(olds.roleId));
    const replaces = replacesOnChange("roleId", olds.roleId, news["roleId"]);
    const restoreChanged = news["restoreOnDelete"] !== olds.restoreOnDelete;
    const result = {
      changes: replaces.length > 0 || permissionsChanged(olds.permissions, news["permissions"]) || restoreChanged,
      replaces,
      deleteBeforeReplace: true,
    };
    // The plan is shown in a preview too: the same one line per permission as its removal.
    const scalars = removalScalarChanges(replaces, restoreChanged);
    return withDetailedDiff(result, permissionsDetailedDiff(olds.permissions, news["permissions"], scalars));
  },

  async create(inputs: RemovalPlanInputs): Promise<pulumi.dynamic.CreateResult> {
    const tenant = runtime.tenant();
    const planned = await planRemoval(tenant, inputs.roleId, inputs.permissions, inputs.permissions, []);
    return { id: inputs.roleId, outs: toState(tenant, inputs, planned) };
  },

  async read(id: string, stored: unknown): Promise<pulumi.dynamic.ReadResult> {
    const props = parsePlanState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.roleId));
    try {
      const current = await tenant.api.list(role(props.roleId));
      const present = intersection(props.permissions, current);
      // A planned permission no longer listed and back on the role needs no restore: forget it.
      const stale = intersection(difference(props.plannedPermissions, props.permissions), current);
      return { id, props: toState(tenant, props, union(difference(props.plannedPermissions, stale), present)) };
    } catch (error) {
      if (await holderGoneAfter(tenant.api, role(props.roleId), error, "GET")) return { id: "" };
      throw error;
    }
  },

  async update(id: string, stored: unknown, news: RemovalPlanInputs): Promise<pulumi.dynamic.UpdateResult> {
    const olds = parsePlanState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(olds.domain, tenant.settings.domain, describe(olds.roleId));
    // What was planned and is still listed stays planned (it may already be off the role). What was
    // planned and is no longer listed stays planned while it is off the role: a removal killed after
    // its DELETE and before its state was saved has no record of it, and restores it from this one.
    const kept = intersection(olds.plannedPermissions, news.permissions);
    const unlisted = difference(olds.plannedPermissions, news.permissions);
    const newlyListed = difference(news.permissions, olds.permissions);
    const planned = await planRemoval(tenant, news.roleId, news.permissions, newlyListed, kept, unlisted);
    return { outs: toState(tenant, news, planned) };
  },

  async delete(id: string, stored: unknown): Promise<void> {
    const props = parsePlanState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.roleId));
    const planned = props.plannedPermissions;
    if (props.restoreOnDelete === false || planned.length === 0) return;
    await restoreRecorded(tenant, props.roleId, planned, describe(props.roleId));
  },
});

/**
 * Under the role's lock: declares `listed` kept off the role for this deployment (so another
 * removal's restore, before or after, leaves them off), reads the role if there is anything in
 * `toRead` or `unlisted`, and returns what the removal will take off (or, for `unlisted`, may have
 * to restore): `kept`, those of `toRead` the role has, and those of `unlisted` it does not have.
 */
export async function planRemoval(
  tenant: TenantApi,
  roleId: string,
  listed: readonly Permission[],
  toRead: readonly Permission[],
  kept: readonly Permission[],
  unlisted: readonly Permission[] = [],
): Promise<PermissionSet> {
  const holder = role(roleId);
  return tenant.coordination.exclusive(holder, async () => {
    tenant.coordination.ledger.claim(holder, listed);
    if (toRead.length === 0 && unlisted.length === 0) return canonicalize(kept);
    const current = await tenant.api.list(holder);
    return union(union(kept, intersection(toRead, current)), difference(unlisted, current));
  });
}

/**
 * Destroy's restore, shared by the removal and its plan: puts back exactly `recorded`. A permission
 * that another removal of this deployment keeps off is restored too, because nothing else records
 * it (that removal found it already off): the warning says how to hand it over. So is one this
 * removal handed over in an earlier deployment (`handedOver`, see unlistedRecord in
 * role-permission-removal.ts): the removal that took it over may be destroyed in this run too, and
 * restoring is the choice that loses nothing; the warning says what to run if it still keeps it off.
 */
export async function restoreRecorded(
  tenant: TenantApi,
  roleId: string,
  recorded: readonly Permission[],
  resource: string,
  handedOver: readonly Permission[] = [],
): Promise<void> {
  const holder = role(roleId);
  await tenant.coordination.exclusive(holder, async () => {
    const { leave } = tenant.coordination.writable(holder, recorded, () => {}, "restore");
    const notRestored = await restoreEach(tenant, holder, recorded);
    if (leave.length > 0)
      tenant.log(
        `warning: ${resource} restored ${leave.map(describePermission).join(", ")}, which another ` +
          "RolePermissionRemoval of this deployment keeps off but did not record (it was already off). " +
          "Nothing is lost; run `pulumi up --refresh` and that resource removes it again and records it.",
      );
    const handedBack = difference(difference(intersection(handedOver, recorded), leave), notRestored);
    if (handedBack.length > 0)
      tenant.log(
        `warning: ${resource} restored ${handedBack.map(describePermission).join(", ")}, which it had handed ` +
          "over to another RolePermissionRemoval of this role (handedOverPermissions). If that one is not " +
          "destroyed too and still keeps it off, run `pulumi up --refresh`: it removes it again and records it.",
      );
    if (notRestored.length > 0)
      tenant.log(
        `warning: ${resource} could not restore ${notRestored.length} permission(s) Auth0 refused (deleted, or ` +
          "rejected; see the warnings above): " +
          `${notRestored.map(describePermission).join(", ")}.`,
      );
  });
}

/**
 * `plannedPermissions` of a removal's inputs: the plan's output (a list, or unknown during preview),
 * or absent when the removal is driven without its plan. Returns the failure reason, if any.
 */
export function plannedProblem(value: unknown): string | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  const ok =
    Array.isArray(value) &&
    value.every(
      (p) =>
        isUnknown(p) ||
        (typeof p === "object" &&
          p !== null &&
          typeof (p as Permission).resourceServerIdentifier === "string" &&
          typeof (p as Permission).permissionName === "string"),
    );
  return ok
    ? undefined
    : "plannedPermissions must be the plannedPermissions output of the RolePermissionRemovalPlan of the same name; " +
        "it is set by the RolePermissionRemoval class, do not pass it yourself.";
}

function toState(tenant: TenantApi, inputs: RemovalPlanInputs, planned: readonly Permission[]): RemovalPlanState {
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    domain: tenant.settings.domain,
    roleId: inputs.roleId,
    permissions: inputs.permissions,
    restoreOnDelete: inputs.restoreOnDelete,
    plannedPermissions: canonicalize(planned),
  };
}

function role(id: string): Holder {
  return { kind: "role", id };
}

function describe(roleId: string): string {
  return `${RESOURCE} of role '${roleId}'`;
}
