import { MalformedStateError, WrongTenantError } from "../errors";
import type { Permission } from "../permissions/permission";
import { canonicalize, type PermissionSet } from "../permissions/permission-set";
import { isWellFormed } from "./inputs";

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
  readonly permissions: readonly Permission[];
  /**
   * Listed permissions a refresh found missing in Auth0 (drift); the next update grants them again.
   * Kept apart from `permissions` so that a destroy still revokes the whole list. Absent when none.
   */
  readonly driftedPermissions?: readonly Permission[];
}

export interface RolePermissionRemovalState {
  readonly schemaVersion: number;
  readonly domain: string;
  readonly roleId: string;
  readonly permissions: readonly Permission[];
  readonly restoreOnDelete: boolean;
  /** What this resource actually took off the role, and so what a delete puts back. */
  readonly removedPermissions: readonly Permission[];
  /** ISO time of the latest removal; absent if nothing was on the role. */
  readonly removedAt?: string;
  /** The plan's record this removal was given (see role-permission-removal-plan.ts); absent before 0.2.0. */
  readonly plannedPermissions?: readonly Permission[];
  /**
   * Of `removedPermissions`, those no longer listed that another RolePermissionRemoval of the same
   * role took over, in the deployment that unlisted them, while they were off (so it recorded nothing).
   * An update never restores them; a delete does. Absent when none, and in state written before 0.2.0.
   */
  readonly handedOverPermissions?: readonly Permission[];
}

/**
 * The parsed state's permission lists are PermissionSets (canonical, frozen), so no operation on
 * them sorts again; the interfaces above say `readonly Permission[]`, the shape written to state.
 *
 * Reads a UserPermissions state, every field with its type, before any request: malformed state
 * must never fail open (a missing userId sent requests to /users/undefined/..., got a 404, and
 * reported "nothing to revoke"; a `permissions` string sent `{"permissions":[{}]}`).
 */
export function parseUserState(props: unknown, id: string): UserPermissionsState {
  const fields = new StateReader(props, "UserPermissions", id);
  const drifted = fields.optionalPermissions("driftedPermissions");
  return {
    schemaVersion: fields.schemaVersion(),
    domain: fields.domain(),
    userId: fields.id("userId"),
    permissions: fields.permissions("permissions"),
    ...(drifted === undefined ? {} : { driftedPermissions: drifted }),
  };
}

/** Reads a RolePermissionRemoval state, every field with its type, before any request. */
export function parseRoleState(props: unknown, id: string): RolePermissionRemovalState {
  const fields = new StateReader(props, "RolePermissionRemoval", id);
  const removedAt = fields.optionalString("removedAt");
  const plannedPermissions = fields.optionalPermissions("plannedPermissions");
  const handedOverPermissions = fields.optionalPermissions("handedOverPermissions");
  return {
    schemaVersion: fields.schemaVersion(),
    domain: fields.domain(),
    roleId: fields.id("roleId"),
    permissions: fields.permissions("permissions"),
    restoreOnDelete: fields.boolean("restoreOnDelete"),
    removedPermissions: fields.permissions("removedPermissions"),
    ...(removedAt === undefined ? {} : { removedAt }),
    ...(plannedPermissions === undefined ? {} : { plannedPermissions }),
    ...(handedOverPermissions === undefined ? {} : { handedOverPermissions }),
  };
}

/**
 * The record a RolePermissionRemoval's plan saves before anything is removed
 * (role-permission-removal-plan.ts).
 */
export interface RemovalPlanState {
  readonly schemaVersion: number;
  readonly domain: string;
  readonly roleId: string;
  readonly permissions: readonly Permission[];
  readonly restoreOnDelete: boolean;
  /** Listed permissions that were on the role when read: what the removal takes off and destroy restores. */
  readonly plannedPermissions: readonly Permission[];
}

/** Reads a RolePermissionRemovalPlan state, every field with its type, before any request. */
export function parsePlanState(props: unknown, id: string): RemovalPlanState {
  const fields = new StateReader(props, "RolePermissionRemovalPlan", id);
  return {
    schemaVersion: fields.schemaVersion(),
    domain: fields.domain(),
    roleId: fields.id("roleId"),
    permissions: fields.permissions("permissions"),
    restoreOnDelete: fields.boolean("restoreOnDelete"),
    plannedPermissions: fields.permissions("plannedPermissions"),
  };
}

/** Field readers that throw a MalformedStateError naming the resource, the field and what to do. */
class StateReader {
  private readonly record: Record<string, unknown>;

  constructor(
    props: unknown,
    private readonly resource: string,
    private readonly resourceId: string,
  ) {
    if (typeof props !== "object" || props === null || Array.isArray(props)) {
      throw this.malformed("the state", `must be an object, got ${typeName(props)}`);
    }
    this.record = props as Record<string, unknown>;
  }

  schemaVersion(): number {
    const value = this.record["schemaVersion"];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw this.malformed("schemaVersion", `must be a whole number from 1, got ${typeName(value)}`);
    }
    if (value > STATE_SCHEMA_VERSION) {
      throw new MalformedStateError(
        `${this.describe()} was written by a newer pulumi-auth0-permissions (state schema ${value}, this version ` +
          `reads up to ${STATE_SCHEMA_VERSION}). Install that newer version to manage it.`,
      );
    }
    return value;
  }

  domain(): string {
    return this.nonEmptyString("domain");
  }

  id(field: "userId" | "roleId"): string {
    const value = this.nonEmptyString(field);
    if (value !== this.resourceId) {
      throw this.malformed(
        field,
        `is ${JSON.stringify(value)}, but the resource id is ${JSON.stringify(this.resourceId)}`,
      );
    }
    return value;
  }

  boolean(field: string): boolean {
    const value = this.record[field];
    if (typeof value !== "boolean") throw this.malformed(field, `must be true or false, got ${typeName(value)}`);
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.record[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.malformed(field, `must be a string when present, got ${typeName(value)}`);
    return value;
  }

  permissions(field: string): PermissionSet {
    const value = this.record[field];
    if (!Array.isArray(value)) {
      throw this.malformed(
        field,
        `must be a list of { resourceServerIdentifier, permissionName }, got ${typeName(value)}`,
      );
    }
    return canonicalize(value.map((item: unknown, index) => this.permission(`${field}[${index}]`, item)));
  }

  optionalPermissions(field: string): PermissionSet | undefined {
    return this.record[field] === undefined ? undefined : this.permissions(field);
  }

  private permission(field: string, item: unknown): Permission {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw this.malformed(
        field,
        `must be an object { resourceServerIdentifier, permissionName }, got ${typeName(item)}`,
      );
    }
    const record = item as Record<string, unknown>;
    for (const part of ["resourceServerIdentifier", "permissionName"] as const) {
      const value = record[part];
      if (typeof value !== "string" || value === "" || !isWellFormed(value)) {
        throw this.malformed(`${field}.${part}`, `must be a non-empty string, got ${typeName(value)}`);
      }
    }
    return {
      resourceServerIdentifier: record["resourceServerIdentifier"] as string,
      permissionName: record["permissionName"] as string,
    };
  }

  private nonEmptyString(field: string): string {
    const value = this.record[field];
    if (typeof value !== "string" || value === "" || !isWellFormed(value)) {
      throw this.malformed(field, `must be a non-empty string, got ${typeName(value)}`);
    }
    return value;
  }

  private describe(): string {
    return `${this.resource} '${this.resourceId}'`;
  }

  private malformed(field: string, problem: string): MalformedStateError {
    return new MalformedStateError(
      `${this.describe()} has malformed state: ${field} ${problem}. Nothing was sent to Auth0. ` +
        "Restore the resource's state from a backup (`pulumi stack export`, fix it, `pulumi stack import`), or, " +
        "if you have checked the tenant by hand, drop it with `pulumi state delete <urn>` (that changes nothing in Auth0).",
    );
  }
}

function typeName(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return value.length > 60 ? "a long string" : `the string ${JSON.stringify(value)}`;
  if (typeof value === "number") return `the number ${value}`;
  return `a ${typeof value}`;
}

/**
 * The tenant guard: a resource recorded in one tenant is never touched through another. Changing
 * auth0:domain under a deployed stack would otherwise revoke nothing in the old tenant and act on
 * the wrong one.
 */
export function assertSameTenant(recordedDomain: string, configuredDomain: string, resource: string): void {
  if (recordedDomain === configuredDomain) return;
  throw new WrongTenantError(
    `${resource} is recorded in tenant '${recordedDomain}', but the provider is configured for '${configuredDomain}'. ` +
      "Nothing was changed in either tenant. To keep managing it, set auth0:domain (and its credentials) back to " +
      `${recordedDomain} and run \`pulumi up\`. To move the stack to another tenant, first run \`pulumi destroy\` while ` +
      `configured for ${recordedDomain}, or drop the resource from state with \`pulumi state delete <urn>\`.`,
  );
}
