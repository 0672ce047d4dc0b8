import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { Permission } from "../permissions/permission";
import installedProvider from "./forwarders/role-permission-removal-plan";
import { serializedProvider } from "./serialized-provider";
import type { RolePermissionRemovalArgs } from "./role-permission-removal";

const provider = serializedProvider(
  "RolePermissionRemovalPlan",
  installedProvider,
  path.join(__dirname, "forwarders", "role-permission-removal-plan.js"),
);

/**
 * The record of a RolePermissionRemoval, saved in the stack before anything is removed
 * (src/provider/role-permission-removal-plan.ts). Declared by the RolePermissionRemoval class, with
 * the same name and parent; programs don't declare it themselves.
 */
export class RolePermissionRemovalPlan extends pulumi.dynamic.Resource {
  /** The listed permissions the role had when read: what the removal takes off and destroy puts back. */
  declare public readonly plannedPermissions: pulumi.Output<Permission[]>;

  constructor(name: string, args: RolePermissionRemovalArgs, opts: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        roleId: args.roleId,
        permissions: args.permissions,
        restoreOnDelete: args.restoreOnDelete,
        plannedPermissions: undefined,
        domain: undefined,
        schemaVersion: undefined,
      },
      opts,
      "auth0",
      "RolePermissionRemovalPlan",
    );
  }
}

/**
 * The plan's options, from the removal's: the same parent (a child of the removal could not be
 * registered before it, and the removal waits for the plan), protection, retention and
 * dependencies; name-only aliases, since the plan's type differs from the removal's.
 */
export function planOptions(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  const aliases = (opts?.aliases ?? []).filter(
    (alias): alias is pulumi.Alias => typeof alias === "object" && alias !== null && !("type" in alias),
  );
  return {
    ...(opts?.parent ? { parent: opts.parent } : {}),
    ...(opts?.protect === undefined ? {} : { protect: opts.protect }),
    ...(opts?.retainOnDelete === undefined ? {} : { retainOnDelete: opts.retainOnDelete }),
    ...(opts?.dependsOn ? { dependsOn: opts.dependsOn } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    deleteBeforeReplace: opts?.deleteBeforeReplace ?? true,
  };
}
