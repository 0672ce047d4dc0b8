import type * as pulumi from "@pulumi/pulumi";
import { rolePermissionRemovalProvider } from "./role-permission-removal";
import { setStackConfig } from "./runtime";
import { userPermissionsProvider } from "./user-permissions";

/**
 * The provider runtime: `pulumi-auth0-permissions/provider`.
 *
 * Each resource's state holds a tiny serialized provider (src/resources/forwarding-provider.ts)
 * that requires this module by name and forwards every call here. This is a permanent contract:
 * state written by any version calls `configure(request)` and `handlers(kind)[method](...)`, so
 * later versions keep both, and keep every kind below.
 */
export type ResourceKind = "UserPermissions" | "RolePermissionRemoval";

export type Handlers = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

const handlersByKind: Record<ResourceKind, Handlers> = {
  UserPermissions: userPermissionsProvider,
  RolePermissionRemoval: rolePermissionRemovalProvider,
};

/** The CRUD handlers of one resource kind. */
export function handlers(kind: string): Handlers {
  const found = (handlersByKind as Record<string, Handlers | undefined>)[kind];
  if (!found) {
    throw new Error(
      `pulumi-auth0-permissions: unknown resource kind '${kind}'; install the version that created it or newer.`,
    );
  }
  return found;
}

/**
 * Receives the stack config from the engine. Credentials are read from it (and from the
 * environment) at each call, never captured into serialized code or written to state.
 */
export async function configure(request: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const config = request.config;
  setStackConfig((key) => config.get(key));
}
