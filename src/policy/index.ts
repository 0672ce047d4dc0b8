/**
 * Guardrails for Pulumi policy packs: `pulumi-auth0-permissions/policy`.
 *
 * Each function returns one policy for `new PolicyPack(name, { policies: [...] })` of `@pulumi/policy`
 * (an optional peer dependency: install it in the policy pack, not in the program).
 *
 * @example
 * import { PolicyPack } from "@pulumi/policy";
 * import { maxPermissionsPerUser, noDirectGrant, removalsRestoreOnDelete } from "pulumi-auth0-permissions/policy";
 *
 * new PolicyPack("auth0-permissions", {
 *   policies: [
 *     noDirectGrant({ permissions: ["delete:*", /^admin:/] }),
 *     maxPermissionsPerUser({ max: 50 }),
 *     removalsRestoreOnDelete(),
 *   ],
 * });
 *
 * @module
 */
import {
  validateResourceOfType,
  type EnforcementLevel,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import type { Permission } from "../permissions/permission";
import { RolePermissionRemoval } from "../resources/role-permission-removal";
import { UserPermissions } from "../resources/user-permissions";
import { forbiddenGrants, permissionPatterns, positiveInteger, usersOverCap, type UserGrants } from "./rules";

/** What every guardrail accepts. */
export interface GuardrailOptions {
  /** The policy's name in the pack and in reports. */
  readonly name?: string;
  /** @default "mandatory" */
  readonly enforcementLevel?: EnforcementLevel;
}

export interface NoDirectGrantOptions extends GuardrailOptions {
  /**
   * Permission names that must not be granted directly to a user: globs (`*` matches any characters, e.g.
   * `"delete:*"`) or regular expressions, matched against the whole `permissionName`, case-sensitively.
   */
  readonly permissions: readonly (string | RegExp)[];
  /** Only on these APIs (identifiers, compared exactly); every API when absent. */
  readonly resourceServerIdentifiers?: readonly string[];
}

/**
 * No `UserPermissions` may grant a permission matching one of the patterns: such permissions go through
 * roles, where they are reviewed once for everyone.
 * @default name "auth0-no-direct-grant"
 */
export function noDirectGrant(options: NoDirectGrantOptions): ResourceValidationPolicy {
  const patterns = permissionPatterns("noDirectGrant: permissions", options.permissions);
  const servers = options.resourceServerIdentifiers;
  return {
    name: options.name ?? "auth0-no-direct-grant",
    description: `Permissions matching ${patterns.map((p) => p.source).join(", ")} are never granted directly to a user.`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    validateResource: validateResourceOfType(UserPermissions, (grants, _args, reportViolation) => {
      const found = forbiddenGrants(permissionsOf(grants.permissions), patterns, servers);
      if (found.length === 0) return;
      reportViolation(
        `UserPermissions grants ${found.join(", ")} directly to user '${String(grants.userId)}'. ` +
          "Grant it through a role instead, or take it out of `permissions`.",
      );
    }),
  };
}

export interface MaxPermissionsPerUserOptions extends GuardrailOptions {
  /** The most distinct permissions a user may be granted directly, over all `UserPermissions` of the stack. */
  readonly max: number;
}

/**
 * Caps the direct grants of each user, counted over every `UserPermissions` of the stack that names the
 * user (distinct permissions; duplicates across resources count once).
 * @default name "auth0-max-permissions-per-user"
 */
export function maxPermissionsPerUser(options: MaxPermissionsPerUserOptions): StackValidationPolicy {
  const max = positiveInteger("maxPermissionsPerUser: max", options.max);
  return {
    name: options.name ?? "auth0-max-permissions-per-user",
    description: `A user is granted at most ${max} permissions directly.`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    validateStack: (args, reportViolation) => {
      const grants: UserGrants[] = [];
      for (const resource of args.resources) {
        if (!resource.isType(UserPermissions)) continue;
        const props = resource.props as { userId?: unknown; permissions?: unknown };
        grants.push({ urn: resource.urn, userId: String(props.userId), permissions: permissionsOf(props.permissions) });
      }
      for (const over of usersOverCap(grants, max)) {
        for (const urn of over.urns) {
          reportViolation(
            `User '${over.userId}' would be granted ${over.count} permissions directly (by ${over.urns.length} ` +
              `UserPermissions resource(s)); the cap is ${max}. Grant the rest through a role.`,
            urn,
          );
        }
      }
    },
  };
}

/**
 * Every `RolePermissionRemoval` keeps `restoreOnDelete` (the default, `true`), so that a destroy puts back
 * what it removed instead of leaving the role without it for good.
 * @default name "auth0-removals-restore-on-delete"
 */
export function removalsRestoreOnDelete(options: GuardrailOptions = {}): ResourceValidationPolicy {
  return {
    name: options.name ?? "auth0-removals-restore-on-delete",
    description: "A RolePermissionRemoval puts back what it removed when it is destroyed (restoreOnDelete).",
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    validateResource: validateResourceOfType(RolePermissionRemoval, (removal, _args, reportViolation) => {
      if (removal.restoreOnDelete !== false) return;
      reportViolation(
        `RolePermissionRemoval of role '${String(removal.roleId)}' sets restoreOnDelete: false, so destroying it ` +
          "would leave the role without the permissions for good. Remove the setting (it defaults to true).",
      );
    }),
  };
}

/** The permissions as the engine hands them over: anything not a well-formed permission is left to `check`. */
function permissionsOf(value: unknown): Permission[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (p): p is Permission =>
      typeof p === "object" &&
      p !== null &&
      typeof (p as Permission).permissionName === "string" &&
      typeof (p as Permission).resourceServerIdentifier === "string",
  );
}
