import { createHash } from "node:crypto";
import { resolveSettings, type ConfigLookup, type Settings } from "../config/settings";
import { systemClock } from "../client/clock";
import { ManagementClient } from "../client/management-client";
import { PermissionsApi } from "../client/permissions-api";
import { createHttpTransport } from "../client/transport";
import { Coordination } from "./coordination";
import { providerLines } from "./engine-log";

/**
 * What the handlers run on: the stack config handed to `configure` (the environment is the
 * fallback), and one client per tenant, so every resource of a deployment shares one token, one
 * connection pool and one rate-limit pacer. Nothing here is ever serialized into state.
 *
 * `configure` builds one `ProviderRuntime`; every handler receives it. Tests build their own with
 * `createRuntime`, so nothing module-level is mutated to point the handlers elsewhere.
 */
export interface TenantApi {
  readonly settings: Settings;
  readonly api: PermissionsApi;
  readonly log: (line: string) => void;
  /** Serialized writes per user and role, and what this deployment declared (coordination.ts). */
  readonly coordination: Coordination;
}

export interface ProviderRuntime {
  /** The settings in force now. Throws a ConfigurationError naming the missing or malformed key. */
  settings(): Settings;
  /** The shared client for the configured tenant (or for `settings`), created on first use. */
  tenant(settings?: Settings): TenantApi;
}

export interface RuntimeOptions {
  /** Stack config, as `configure` receives it. */
  readonly config: ConfigLookup;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the clients live; one registry per provider process, so every runtime shares them. */
  readonly clients?: TenantClients;
}

export function createRuntime(options: RuntimeOptions): ProviderRuntime {
  const clients = options.clients ?? new TenantClients();
  // Resolved once per `configure`, on first use: every handler call would otherwise re-read and re-validate
  // the config, hash it to find its client and, with Private Key JWT, parse the key again. A failure is not
  // kept, so each call reports it.
  let resolved: Settings | undefined;
  const settings = (): Settings => (resolved ??= resolveSettings(options.config, options.env ?? process.env));
  let client: TenantApi | undefined;
  const tenant = (given?: Settings): TenantApi => {
    if (given !== undefined) return clients.get(given);
    return (client ??= clients.get(settings()));
  };
  return { settings, tenant };
}

/** A write waits for at most this many request budgets of the writes queued before it on the same holder. */
const LOCK_WAIT_BUDGETS = 10;

/** One client per tenant and credentials, created on first use and then shared. */
export class TenantClients {
  private readonly tenants = new Map<string, TenantApi>();

  get(settings: Settings): TenantApi {
    const key = tenantKey(settings);
    let tenant = this.tenants.get(key);
    if (!tenant) {
      // To the resource being served when the engine can take it, else to stderr (engine-log.ts).
      const log = (line: string): void => providerLines.write(line);
      const client = new ManagementClient(settings, {
        transport: createHttpTransport(`https://${settings.domain}`, settings.tuning.requestTimeoutMs, {
          maxResponseBytes: settings.tuning.maxResponseBytes,
          warn: (line) => log(`warning: ${line}`),
        }),
        clock: systemClock,
        random: Math.random,
        log,
      });
      tenant = {
        settings,
        api: new PermissionsApi(client, settings.tuning.batchSize),
        log,
        coordination: new Coordination(LOCK_WAIT_BUDGETS * settings.tuning.retryBudgetMs),
      };
      this.tenants.set(key, tenant);
    }
    return tenant;
  }
}

/** Identifies a tenant and credentials without keeping a secret in the key. */
function tenantKey(settings: Settings): string {
  const hash = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
  return `${settings.domain}#${hash}`;
}
