import type { Permission } from "../../src/permissions/permission";
import type { RemovalPlanState, RolePermissionRemovalState } from "../../src/provider/state";
import { provider } from "./emulator-tenant";

/**
 * A RolePermissionRemoval's steps as its resource class declares them: the plan's step, then the
 * removal's, which takes the plan's record as an input. Destroy: the removal, then the plan.
 */
const roles = provider("RolePermissionRemoval");
const plans = provider("RolePermissionRemovalPlan");

export interface Removal {
  readonly plan: RemovalPlanState;
  readonly removal: RolePermissionRemovalState;
}

export const removalInputs = (roleId: string, permissions: readonly Permission[]) => ({
  roleId,
  permissions,
  restoreOnDelete: true,
});

export async function planCreate(roleId: string, permissions: readonly Permission[]): Promise<RemovalPlanState> {
  return (await plans.create(removalInputs(roleId, permissions))).outs as RemovalPlanState;
}

export async function planUpdate(old: Removal, permissions: readonly Permission[]): Promise<RemovalPlanState> {
  const roleId = old.removal.roleId;
  return (await plans.update(roleId, old.plan, removalInputs(roleId, permissions))).outs as RemovalPlanState;
}

export async function removalCreate(plan: RemovalPlanState): Promise<Removal> {
  const inputs = { ...removalInputs(plan.roleId, plan.permissions), plannedPermissions: plan.plannedPermissions };
  return { plan, removal: (await roles.create(inputs)).outs as RolePermissionRemovalState };
}

export async function removalUpdate(old: Removal, plan: RemovalPlanState): Promise<Removal> {
  const inputs = { ...removalInputs(plan.roleId, plan.permissions), plannedPermissions: plan.plannedPermissions };
  return { plan, removal: (await roles.update(plan.roleId, old.removal, inputs)).outs as RolePermissionRemovalState };
}

export async function createRemoval(roleId: string, permissions: readonly Permission[]): Promise<Removal> {
  return removalCreate(await planCreate(roleId, permissions));
}

export async function updateRemoval(old: Removal, permissions: readonly Permission[]): Promise<Removal> {
  return removalUpdate(old, await planUpdate(old, permissions));
}

export async function destroyRemoval(r: Removal): Promise<void> {
  await roles.delete(r.removal.roleId, r.removal);
  await plans.delete(r.plan.roleId, r.plan);
}
