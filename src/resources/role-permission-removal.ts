import * as pulumi from "@pulumi/pulumi";
import type { Permission } from "../permissions/permission";
import * as path from "node:path";
import installedProvider from "./forwarders/role-permission-removal";
import { RolePermissionRemovalPlan, planOptions } from "./role-permission-removal-plan";
import { watchForOverlaps } from "./overlap-warnings";
import { serializedProvider } from "./serialized-provider";
import type { PermissionArgs } from "./user-permissions";

const provider = serializedProvider(
  "RolePermissionRemoval",
  installedProvider,
  path.join(__dirname, "forwarders", "role-permission-removal.js"),
);

export interface RolePermissionRemovalArgs {
  /** The Auth0 role id, e.g. `rol_Ab12Cd34Ef56Gh78`. Changing it replaces the resource. */
  roleId: pulumi.Input<string>;
  /** The permissions to keep off the role. Order and duplicates don't matter. At most 1000. */
  permissions: pulumi.Input<pulumi.Input<PermissionArgs>[]>;
  /**
   * Put back, on delete, exactly the permissions this resource removed.
   * @default true
   */
  restoreOnDelete?: pulumi.Input<boolean>;
}

/**
 * Removes API permissions from an Auth0 role and records exactly what it removed, so that a
 * destroy restores that and nothing else.
 *
 * @example
 * new RolePermissionRemoval("support-no-delete", {
 *   roleId: "rol_Ab12Cd34Ef56Gh78",
 *   permissions: [{ resourceServerIdentifier: "https://api.example.com", permissionName: "delete:reports" }],
 * });
 */
export class RolePermissionRemoval extends pulumi.dynamic.Resource {
  /** The type token this resource is registered under; permanent. Policy packs match resources by it. */
  public static readonly __pulumiType = "pulumi-nodejs:dynamic/auth0:RolePermissionRemoval";

  /**
   * Whether `obj` is a `RolePermissionRemoval`, also when it was created by another copy of this package
   * (compared by type token, as Pulumi's own resource classes do).
   */
  public static override isInstance(obj: unknown): obj is RolePermissionRemoval {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: unknown }).__pulumiType === RolePermissionRemoval.__pulumiType;
  }

  declare public readonly roleId: pulumi.Output<string>;
  /** The permissions kept off the role, deduplicated and sorted. */
  declare public readonly permissions: pulumi.Output<Permission[]>;
  declare public readonly restoreOnDelete: pulumi.Output<boolean>;
  /** What this resource actually removed: the listed permissions that were on the role. */
  declare public readonly removedPermissions: pulumi.Output<Permission[]>;
  /** When the latest removal happened (ISO 8601); undefined if none of the listed permissions was on the role. */
  declare public readonly removedAt: pulumi.Output<string | undefined>;
  /**
   * What this resource's plan recorded as on the role before anything was removed: the set it takes off.
   * Undefined in state written before 0.2.0.
   */
  declare public readonly plannedPermissions: pulumi.Output<Permission[] | undefined>;
  /**
   * Of `removedPermissions`, those no longer listed that another `RolePermissionRemoval` of the same role
   * took over while they were off (so it recorded nothing): no later update restores them, this resource's
   * destroy does. Undefined when none.
   */
  declare public readonly handedOverPermissions: pulumi.Output<Permission[] | undefined>;
  /** The tenant the role lives in. */
  declare public readonly domain: pulumi.Output<string>;
  /** The version of the state's layout; every version of this package reads the state of earlier ones. */
  declare public readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: RolePermissionRemovalArgs, opts?: pulumi.CustomResourceOptions) {
    // Kill-safe by construction: the plan reads the role and is saved in the stack before this
    // resource's step removes anything, and this resource removes exactly what the plan recorded.
    const plan = new RolePermissionRemovalPlan(name, args, planOptions(opts));
    super(
      provider,
      name,
      {
        roleId: args.roleId,
        permissions: args.permissions,
        restoreOnDelete: args.restoreOnDelete,
        plannedPermissions: plan.plannedPermissions,
        removedPermissions: undefined,
        removedAt: undefined,
        handedOverPermissions: undefined,
        domain: undefined,
        schemaVersion: undefined,
      },
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      "auth0",
      "RolePermissionRemoval",
    );
    watchForOverlaps("RolePermissionRemoval", name, this, args.roleId, args.permissions);
  }
}
