import { WrongTenantError } from "../errors";
import type { Permission } from "../permissions/permission";

/**
 * Version of the outputs this code writes. Every later version must still read every earlier one:
 * resources created long ago are refreshed and destroyed by whatever version is installed then.
 * Version 1 is the first.
 */
export const STATE_SCHEMA_VERSION = 1;

export interface UserPermissionsState {
  readonly schemaVersion: number;
  readonly domain: string;
  readonly userId: string;
  /** The managed permissions: what the program lists. */
  readonly permissions: Permission[];
  /**
   * Listed permissions a refresh found missing in Auth0 (drift); the next update grants them again.
   * Kept apart from `permissions` so that a destroy still revokes the whole list. Absent when none.
   */
  readonly driftedPermissions?: Permission[];
}

export interface RolePermissionRemovalState {
  readonly schemaVersion: number;
  readonly domain: string;
  readonly roleId: string;
  readonly permissions: Permission[];
  readonly restoreOnDelete: boolean;
  /** What this resource actually took off the role, and so what a delete puts back. */
  readonly removedPermissions: Permission[];
  /** ISO time of the latest removal; absent if nothing was on the role. */
  readonly removedAt?: string;
}

/** Rejects state written by a newer version, which this code may misread. */
export function assertReadableState(state: { schemaVersion?: unknown }, resource: string): void {
  const version = typeof state.schemaVersion === "number" ? state.schemaVersion : 1;
  if (version > STATE_SCHEMA_VERSION) {
    throw new Error(
      `${resource} was written by a newer pulumi-auth0-permissions (state schema ${version}, this version reads up to ` +
        `${STATE_SCHEMA_VERSION}). Install that newer version to manage it.`,
    );
  }
}

/**
 * The tenant guard: a resource recorded in one tenant is never touched through another. Changing
 * auth0:domain under a deployed stack would otherwise revoke nothing in the old tenant and act on
 * the wrong one.
 */
export function assertSameTenant(recordedDomain: unknown, configuredDomain: string, resource: string): void {
  if (typeof recordedDomain !== "string" || recordedDomain === "" || recordedDomain === configuredDomain) return;
  throw new WrongTenantError(
    `${resource} is recorded in tenant '${recordedDomain}', but the provider is configured for '${configuredDomain}'. ` +
      "Nothing was changed in either tenant. To keep managing it, set auth0:domain (and its credentials) back to " +
      `${recordedDomain} and run \`pulumi up\`. To move the stack to another tenant, first run \`pulumi destroy\` while ` +
      `configured for ${recordedDomain}, or drop the resource from state with \`pulumi state delete <urn>\`.`,
  );
}
