import * as pulumi from "@pulumi/pulumi";
import type { Permission } from "../permissions/permission";
import * as path from "node:path";
import installedProvider from "./forwarders/user-permissions";
import { watchForOverlaps } from "./overlap-warnings";
import { serializedProvider } from "./serialized-provider";

const provider = serializedProvider(
  "UserPermissions",
  installedProvider,
  path.join(__dirname, "forwarders", "user-permissions.js"),
);

/** A permission as a resource argument: each field may be an Output. */
export interface PermissionArgs {
  /** The API's identifier (its audience, e.g. `https://api.example.com`), not its id. */
  resourceServerIdentifier: pulumi.Input<string>;
  /** The scope, e.g. `read:reports`. */
  permissionName: pulumi.Input<string>;
}

export interface UserPermissionsArgs {
  /** The Auth0 user id, e.g. `auth0|64b1f...`. Changing it replaces the resource. */
  userId: pulumi.Input<string>;
  /** The permissions to grant directly. Order and duplicates don't matter. At most 1000. */
  permissions: pulumi.Input<pulumi.Input<PermissionArgs>[]>;
}

/**
 * Grants API permissions directly to an Auth0 user, non-authoritatively: only the listed
 * permissions are managed, and anything else the user holds is never touched.
 *
 * Replacement is delete-before-replace by default, so `pulumi up --replace` never ends with the
 * permissions revoked.
 *
 * @example
 * new UserPermissions("alice-reports", {
 *   userId: "auth0|64b1f0c2e4a1",
 *   permissions: [{ resourceServerIdentifier: "https://api.example.com", permissionName: "read:reports" }],
 * });
 */
export class UserPermissions extends pulumi.dynamic.Resource {
  /** The type token this resource is registered under; permanent. Policy packs match resources by it. */
  public static readonly __pulumiType = "pulumi-nodejs:dynamic/auth0:UserPermissions";

  /**
   * Whether `obj` is a `UserPermissions`, also when it was created by another copy of this package
   * (compared by type token, as Pulumi's own resource classes do).
   */
  public static override isInstance(obj: unknown): obj is UserPermissions {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: unknown }).__pulumiType === UserPermissions.__pulumiType;
  }

  declare public readonly userId: pulumi.Output<string>;
  /** The managed permissions, deduplicated and sorted. */
  declare public readonly permissions: pulumi.Output<Permission[]>;
  /**
   * Listed permissions the latest refresh found missing in Auth0 (drift), which the next `pulumi up` grants
   * again; undefined when there are none.
   */
  declare public readonly driftedPermissions: pulumi.Output<Permission[] | undefined>;
  /** The tenant the grants live in. */
  declare public readonly domain: pulumi.Output<string>;
  /** The version of the state's layout; every version of this package reads the state of earlier ones. */
  declare public readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: UserPermissionsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        userId: args.userId,
        permissions: args.permissions,
        driftedPermissions: undefined,
        domain: undefined,
        schemaVersion: undefined,
      },
      { ...opts, deleteBeforeReplace: opts?.deleteBeforeReplace ?? true },
      "auth0",
      "UserPermissions",
    );
    watchForOverlaps("UserPermissions", name, this, args.userId, args.permissions);
  }
}
