import * as tls from "node:tls";
import { readFileSync } from "node:fs";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator";
import { configure, handlers, type Handlers, type ResourceKind } from "../../src/provider";

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
  // The engine's own path: `configure` builds the runtime every `handlers(kind)` call runs on.
  await configure({ config: { get: (key) => config[key] } });
  return emulator;
}

/**
 * A kind's handlers, called as the serialized provider calls them: `handlers(kind)` at each call,
 * on the runtime the latest `configure` built.
 */
export function provider(kind: ResourceKind): Handlers {
  return {
    check: (olds, news) => handlers(kind).check(olds, news),
    diff: (id, olds, news) => handlers(kind).diff(id, olds, news),
    create: (inputs) => handlers(kind).create(inputs),
    read: (id, props) => handlers(kind).read(id, props),
    update: (id, olds, news) => handlers(kind).update(id, olds, news),
    delete: (id, props) => handlers(kind).delete(id, props),
  };
}
