import * as tls from "node:tls";
import { readFileSync } from "node:fs";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator";
import { vi } from "vitest";
import type { Handlers, ResourceKind } from "../../src/provider";
import * as initialProvider from "../../src/provider";
import { tuningConfig } from "../helpers/config";
import { forwardHandlers } from "../helpers/handlers";

/** The provider module of the current deployment (a provider process of its own; see newDeployment). */
let runtime: typeof initialProvider = initialProvider;
let configured: Record<string, string> = {};

/**
 * An in-process emulator that the provider reaches over real HTTPS, exactly as it reaches a tenant.
 * Its CA is added to this process's default trust store, the runtime equivalent of
 * NODE_EXTRA_CA_CERTS, so the library runs its one and only code path.
 */
export async function emulatorTenant(
  options: EmulatorOptions,
  tuning: Record<string, string> = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  const ca = readFileSync(emulator.caCertPath!, "utf8");
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), ca]);
  // The engine's own path: `configure` builds the runtime every `handlers(kind)` call runs on.
  configured = providerConfig(emulator, tuning);
  await runtime.configure({ config: { get: (key) => configured[key] } });
  return emulator;
}

/** Stack config that points the provider at an emulator, plus tuning keys of this package by name. */
export function providerConfig(emulator: RunningEmulator, tuning: Record<string, string> = {}): Record<string, string> {
  return {
    "auth0:domain": emulator.domain,
    "auth0:clientId": emulator.clientId,
    "auth0:clientSecret": emulator.clientSecret,
    ...tuningConfig(tuning),
  };
}

/**
 * The next `pulumi up`: the engine starts one provider process per deployment, so what one
 * deployment's resources declared (src/provider/deployment-ledger.ts) never reaches the next.
 */
export async function newDeployment(): Promise<void> {
  vi.resetModules();
  runtime = await import("../../src/provider/index.js");
  await runtime.configure({ config: { get: (key) => configured[key] } });
}

/** Configures the current deployment's runtime with other stack config, as the engine's `configure` does. */
export async function configureDeployment(get: (key: string) => string | undefined): Promise<void> {
  await runtime.configure({ config: { get } });
}

/**
 * A kind's handlers, called as the serialized provider calls them: `handlers(kind)` at each call,
 * on the runtime the latest `configure` built.
 */
export function provider(kind: ResourceKind): Handlers {
  return forwardHandlers(() => runtime.handlers(kind));
}
