import * as tls from "node:tls";
import { readFileSync } from "node:fs";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator";
import { setStackConfig } from "../../src/provider/runtime";

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
  const config: Record<string, string> = {
    "auth0:domain": emulator.domain,
    "auth0:clientId": emulator.clientId,
    "auth0:clientSecret": emulator.clientSecret,
    ...Object.fromEntries(Object.entries(tuning).map(([k, v]) => [`pulumi-auth0-permissions:${k}`, v])),
  };
  setStackConfig((key) => config[key]);
  return emulator;
}
