import type * as pulumi from "@pulumi/pulumi";
import type { Holder } from "../client/permissions-api";
import { describePermission, type Permission } from "../permissions/permission";
import { canonicalize, difference, intersection, union, type PermissionSet } from "../permissions/permission-set";
import { permissionsDetailedDiff, removalScalarChanges } from "./detailed-diff";
import { withDetailedDiff } from "./detailed-diff-bridge";
import { driftWarning } from "./drift-warning";
import { checkOptionalBoolean, checkResourceInputs, isUnknown, permissionsChanged, replacesOnChange } from "./inputs";
import { holderGoneAfter } from "./holder-gone";
import { restoreEach } from "./partial-failures";
import { PartialProgressError } from "./partial-progress";
import { planRemoval, plannedProblem, restoreRecorded } from "./role-permission-removal-plan";
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
 *           restored if this resource removed them and restoreOnDelete is set, unless another removal
 *           of this deployment keeps them off: those are handed over (`handedOverPermissions`), kept
 *           recorded for this resource's delete and never restored by a later update.
 * - delete: with restoreOnDelete (default true), POST exactly `removedPermissions` back. A deleted
 *           role counts as done; a recorded permission that no longer exists is skipped and named.
 */
export interface RolePermissionRemovalInputs {
  readonly roleId: string;
  readonly permissions: readonly Permission[];
  readonly restoreOnDelete: boolean;
  /**
   * The record saved by the RolePermissionRemovalPlan of the same name before this step runs: the
   * listed permissions that were on the role. Absent only when the handlers are driven without a
   * plan (a program always has one); then the role is read here, as 0.1.0 did.
   */
  readonly plannedPermissions?: readonly Permission[];
}

const RESOURCE = "RolePermissionRemoval";

export const rolePermissionRemovalHandlers = (runtime: ProviderRuntime): Handlers => ({
  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const planned = news["plannedPermissions"];
    return checkResourceInputs(news, "roleId", runtime.settings, (failures) => {
      const problem = plannedProblem(planned);
      if (problem) failures.push({ property: "plannedPermissions", reason: problem });
      return {
        restoreOnDelete: checkOptionalBoolean(news["restoreOnDelete"], "restoreOnDelete", true, failures),
        ...(Array.isArray(planned) && !planned.some(isUnknown) && !problem
          ? { plannedPermissions: canonicalize(planned as Permission[]) }
          : {}),
      };
    });
  },

  async diff(id: string, stored: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
    const olds = parseRoleState(stored, id);
    assertSameTenant(olds.domain, runtime.settings().domain, describe(olds.roleId));
    const replaces = replacesOnChange("roleId", olds.roleId, news["roleId"]);
    const restoreChanged = news["restoreOnDelete"] !== olds.restoreOnDelete;
    // A plan still unknown (preview) changes nothing by itself; a known one that has permissions this
    // resource has not taken off yet (drift recorded by a refresh) is an update.
    const planned = news["plannedPermissions"];
    const plannedPending =
      Array.isArray(planned) &&
      !planned.some(isUnknown) &&
      Array.isArray(news["permissions"]) &&
      !(news["permissions"] as unknown[]).some(isUnknown) &&
      (toTakeOff(olds, news["permissions"] as Permission[], planned as Permission[]).length > 0 ||
        (news["restoreOnDelete"] !== false &&
          toPutBack(olds, news["permissions"] as Permission[], planned as Permission[]).length > 0));
    const result = {
      changes:
        replaces.length > 0 ||
        permissionsChanged(olds.permissions, news["permissions"]) ||
        restoreChanged ||
        plannedPending,
      replaces,
      deleteBeforeReplace: true,
    };
    const scalars = removalScalarChanges(replaces, restoreChanged);
    return withDetailedDiff(result, permissionsDetailedDiff(olds.permissions, news["permissions"], scalars));
  },

  async create(inputs: RolePermissionRemovalInputs): Promise<pulumi.dynamic.CreateResult> {
    const tenant = runtime.tenant();
    const holder = role(inputs.roleId);
    const planned =
      inputs.plannedPermissions ??
      (await planRemoval(tenant, inputs.roleId, inputs.permissions, inputs.permissions, []));
    const toRemove = intersection(planned, inputs.permissions);
    const removed: Permission[] = [];
    return tenant.coordination.exclusive(holder, async () => {
      tenant.coordination.ledger.claim(holder, inputs.permissions);
      try {
        // Exactly the recorded set: removing one that is already off is a no-op (204), so a create
        // retried after a kill records everything the killed one took.
        if (toRemove.length > 0) await tenant.api.remove(holder, toRemove, (batch) => removed.push(...batch));
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
    });
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
      // A handed-over permission back on the role needs no restore from here: forgotten, so a later
      // destroy does not put it back after another removal took it off again (and recorded it).
      const handedBack = intersection(props.handedOverPermissions ?? [], current);
      const { handedOverPermissions: _, ...rest } = props;
      const handedOver = difference(props.handedOverPermissions ?? [], handedBack);
      return {
        id,
        props: {
          ...rest,
          permissions: stillRemoved,
          removedPermissions: difference(props.removedPermissions, handedBack),
          ...(handedOver.length > 0 ? { handedOverPermissions: handedOver } : {}),
        },
      };
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
    // Without a plan, the role is read now and what is listed and on it is taken off (0.1.0's way).
    const planned =
      news.plannedPermissions ??
      (await planRemoval(tenant, news.roleId, news.permissions, difference(news.permissions, olds.permissions), []));
    const toRemove = toTakeOff(olds, news.permissions, planned);
    // Planned, no longer listed, and not recorded here: a step killed after its DELETE took it off.
    const orphaned = news.restoreOnDelete ? toPutBack(olds, news.permissions, planned) : [];
    const recordedBefore = union(olds.removedPermissions, orphaned);
    const unlisted = unlistedRecord(recordedBefore, olds.handedOverPermissions ?? [], news.permissions);
    const removedNow: Permission[] = [];
    const restoredNow: Permission[] = [];
    return tenant.coordination.exclusive(holder, async () => {
      tenant.coordination.ledger.claim(holder, news.permissions);
      // Decided before any write: under the role's lock, what the ledger says cannot change. What another
      // removal of this deployment now keeps off is handed over: it stays recorded here (destroy restores
      // it) and no later update of this resource restores it (see unlistedRecord).
      const { write: toRestore, leave: handedNow } = news.restoreOnDelete
        ? tenant.coordination.writable(holder, unlisted.dropped, tenant.log, "restore")
        : { write: [], leave: [] };
      const handedOver = news.restoreOnDelete ? union(unlisted.handedOver, handedNow) : canonicalize([]);
      try {
        if (toRemove.length > 0) await tenant.api.remove(holder, toRemove, (batch) => removedNow.push(...batch));
        if (toRestore.length > 0) {
          const notRestored = await restoreEach(tenant, holder, toRestore, (batch) => restoredNow.push(...batch));
          warnNotRestored(tenant, news.roleId, notRestored);
        }
        // Compared with the record, not with olds.permissions, which a refresh may have narrowed.
        const stillRecorded = union(intersection(union(recordedBefore, removedNow), news.permissions), handedOver);
        const removedAt =
          removedNow.length > 0 ? new Date().toISOString() : stillRecorded.length > 0 ? olds.removedAt : undefined;
        return { outs: toState(tenant, news, stillRecorded, removedAt, handedOver) };
      } catch (error) {
        if (removedNow.length === 0 && restoredNow.length === 0 && handedNow.length === 0) throw error;
        // Keep the record true to the tenant; the next `pulumi up` redoes whatever is left.
        // The plan of the last saved step, so a restore of `orphaned` not finished here is redone.
        const { plannedPermissions: _, ...rest } = news;
        // A permission handed over here is no longer listed in any outcome: listed, the next update of
        // this resource alone would restore it while the other removal keeps it off.
        const listed = difference(difference(union(olds.permissions, removedNow), restoredNow), handedOver);
        const done = {
          ...rest,
          permissions: listed,
          ...(olds.plannedPermissions === undefined ? {} : { plannedPermissions: olds.plannedPermissions }),
        };
        const recorded = difference(union(union(olds.removedPermissions, removedNow), handedOver), restoredNow);
        const handedBefore = intersection(olds.handedOverPermissions ?? [], olds.removedPermissions);
        const handedDone = difference(difference(union(handedOver, handedBefore), listed), restoredNow);
        const removedAt = removedNow.length > 0 ? new Date().toISOString() : olds.removedAt;
        throw new PartialProgressError(
          error,
          olds.roleId,
          toState(tenant, done, recorded, removedAt, handedDone),
          news,
        );
      }
    });
  },

  async delete(id: string, stored: unknown): Promise<void> {
    const props = parseRoleState(stored, id);
    const tenant = runtime.tenant();
    assertSameTenant(props.domain, tenant.settings.domain, describe(props.roleId));
    if (props.restoreOnDelete === false || props.removedPermissions.length === 0) return;
    await restoreRecorded(
      tenant,
      props.roleId,
      props.removedPermissions,
      describe(props.roleId),
      props.handedOverPermissions ?? [],
    );
  },
});

/** What this resource took off and knows to be still off: recorded, and not back as drift. */
function takenOff(olds: RolePermissionRemovalState): PermissionSet {
  return intersection(olds.removedPermissions, olds.permissions);
}

/** The decision: of the plan, the listed permissions not already known to be off the role. */
function toTakeOff(
  olds: RolePermissionRemovalState,
  listed: readonly Permission[],
  planned: readonly Permission[],
): PermissionSet {
  return difference(intersection(planned, listed), takenOff(olds));
}

/**
 * The decision: of the plan, what is no longer listed and was never recorded here, unless the last
 * saved step already had it planned and unlisted (it restored it then). Restoring one the role
 * already has is a no-op.
 */
function toPutBack(
  olds: RolePermissionRemovalState,
  listed: readonly Permission[],
  planned: readonly Permission[],
): PermissionSet {
  const handled = union(olds.removedPermissions, difference(olds.plannedPermissions ?? [], olds.permissions));
  return difference(difference(planned, listed), handled);
}

/**
 * The decision, apart from I/O: of what this removal recorded (`recorded`), what an update with the
 * list `listed` may restore (`dropped`, unless another removal of this deployment keeps it off), and
 * what stays handed over (`handedOver`).
 *
 * Why handed over, and not restored later: when removal R2 takes `p` over from R1 in one deployment
 * and R2's step runs first, R2 finds `p` already off and records nothing; R1 then leaves `p` off and
 * keeps it recorded, so that destroying both still restores the role exactly. Without this mark, a
 * later `pulumi up` that updates R1 for another reason, with R2 unchanged (so not in that deployment's
 * ledger), restored `p` while R2 still keeps it off. The record cannot move to R2 instead: R2's state
 * was saved before R1's step ran, and no step can write another resource's state. So a handed-over
 * permission is restored only by this resource's destroy, or kept if this resource lists it again.
 */
export function unlistedRecord(
  recorded: readonly Permission[],
  handedOver: readonly Permission[],
  listed: readonly Permission[],
): { dropped: PermissionSet; handedOver: PermissionSet } {
  const stillHanded = difference(intersection(handedOver, recorded), listed);
  return { dropped: difference(difference(recorded, listed), stillHanded), handedOver: stillHanded };
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
  handedOver: readonly Permission[] = [],
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
    ...(inputs.plannedPermissions === undefined ? {} : { plannedPermissions: canonicalize(inputs.plannedPermissions) }),
    // Absent when none, so a removal that never handed anything over keeps its outputs as they were.
    ...(handedOver.length > 0 ? { handedOverPermissions: canonicalize(handedOver) } : {}),
  };
}
