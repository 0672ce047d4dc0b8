import type * as pulumi from "@pulumi/pulumi";
import { Auth0PermissionsError } from "../errors";
import { dynamicHost } from "./dynamic-host";
import { connectEngine, providerLines } from "./engine-log";
import { atHostBoundary, quietHostErrorLines } from "./host-boundary";
import { trackRequestUrns } from "./request-urn";
import { rolePermissionRemovalHandlers } from "./role-permission-removal";
import { removalPlanHandlers } from "./role-permission-removal-plan";
import { createRuntime, TenantClients, type ProviderRuntime } from "./runtime";
import { userPermissionsHandlers } from "./user-permissions";

/**
 * The provider runtime: `pulumi-auth0-permissions/provider`.
 *
 * Each resource's state holds a tiny serialized provider (src/resources/forwarding-provider.ts)
 * that requires this module by name and forwards every call here. This is a permanent contract:
 * state written by any version calls `configure(request)` and `handlers(kind)[method](...)`, so
 * later versions keep both, and keep every kind below.
 */
export type ResourceKind = "UserPermissions" | "RolePermissionRemoval" | "RolePermissionRemovalPlan";

export type Handlers = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

const handlersByKind: Record<ResourceKind, (runtime: ProviderRuntime) => Handlers> = {
  UserPermissions: userPermissionsHandlers,
  RolePermissionRemoval: rolePermissionRemovalHandlers,
  RolePermissionRemovalPlan: removalPlanHandlers,
};

/** One per provider process: every resource of the deployment shares the tenant's client. */
const clients = new TenantClients();

/** Set by `configure` (the engine calls it before any handler); until then, the environment alone. */
let configured: ProviderRuntime = createRuntime({ config: () => undefined, clients });

/** The CRUD handlers of one resource kind, on the configured runtime. */
export function handlers(kind: string): Handlers {
  const build = (handlersByKind as Record<string, ((runtime: ProviderRuntime) => Handlers) | undefined>)[kind];
  if (!build) {
    throw new Auth0PermissionsError(
      `pulumi-auth0-permissions: unknown resource kind '${kind}'; install the version that created it or newer.`,
    );
  }
  return atHostBoundary(build(configured), () => providerLines.flush());
}

/**
 * Receives the stack config from the engine and builds the runtime the handlers run on.
 * Credentials are read from it (and from the environment) at each call, never captured into
 * serialized code or written to state.
 */
export async function configure(request: { readonly config: { get(key: string): string | undefined } }): Promise<void> {
  adaptHost();
  const config = request.config;
  configured = createRuntime({ config: (key) => config.get(key), clients });
}

let adapted = false;

/**
 * Inside the dynamic provider host: sends the provider's lines to the engine for the resource being served
 * (request-urn.ts, engine-log.ts), and leaves out the host's stderr copy of the errors it hands back
 * (host-boundary.ts). Once per process, at the first `configure`, which the host runs before any handler.
 * Elsewhere, or with a host not recognised, the lines go to stderr.
 */
function adaptHost(): void {
  if (adapted) return;
  adapted = true;
  const host = dynamicHost();
  if (host === undefined) return;
  quietHostErrorLines();
  if (trackRequestUrns(host)) connectEngine(host);
}
