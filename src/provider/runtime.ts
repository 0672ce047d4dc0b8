import { createHash } from "node:crypto";
import { resolveSettings, type ConfigLookup, type Settings } from "../config/settings";
import { systemClock } from "../client/clock";
import { ManagementClient } from "../client/management-client";
import { PermissionsApi } from "../client/permissions-api";
import { createHttpTransport } from "../client/transport";

/**
 * Process-wide state of the dynamic provider: the stack config handed to `configure`, and one
 * client per tenant, so every resource of a deployment shares one token, one connection pool and
 * one rate-limit pacer. Nothing here is ever serialized into state.
 */
export interface TenantApi {
  readonly settings: Settings;
  readonly api: PermissionsApi;
  readonly log: (line: string) => void;
}

/** Stack config, set by `configure`; the environment is the fallback. */
let stackConfig: ConfigLookup = () => undefined;
const tenants = new Map<string, TenantApi>();

export function setStackConfig(lookup: ConfigLookup): void {
  stackConfig = lookup;
}

/** The settings in force now. Throws a ConfigurationError naming the missing key. */
export function currentSettings(): Settings {
  return resolveSettings(stackConfig, process.env);
}

/** The shared client for the configured tenant, created on first use. */
export function tenantApi(settings: Settings = currentSettings()): TenantApi {
  const key = tenantKey(settings);
  let tenant = tenants.get(key);
  if (!tenant) {
    const log = (line: string): void => {
      process.stderr.write(`pulumi-auth0-permissions: ${line}\n`);
    };
    const client = new ManagementClient(settings, {
      transport: createHttpTransport(`https://${settings.domain}`, settings.tuning.requestTimeoutMs, {
        maxResponseBytes: settings.tuning.maxResponseBytes,
        warn: log,
      }),
      clock: systemClock,
      random: Math.random,
      log,
    });
    tenant = { settings, api: new PermissionsApi(client, settings.tuning.batchSize), log };
    tenants.set(key, tenant);
  }
  return tenant;
}

/** Identifies a tenant and credentials without keeping a secret in the key. */
function tenantKey(settings: Settings): string {
  const hash = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
  return `${settings.domain}#${hash}`;
}
