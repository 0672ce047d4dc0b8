import { afterEach } from "vitest";
import type { RunningEmulator, SeedDocument } from "../../src/emulator";
import { emulatorTenant } from "./emulator-tenant";

/** The tenant the handover and moves tests start from, and the names they write permissions with. */
export const API = "https://api.example.com";
export const p = (permissionName: string) => ({ resourceServerIdentifier: API, permissionName });
export const ps = (...names: string[]) => names.map(p);
export const w = (permission_name: string) => ({ resource_server_identifier: API, permission_name });

/** rol_a's permissions in the seed, sorted as roleHas answers them. */
export const SEED_ROLE = ["admin:x", "delete:x", "read:x", "write:x"];

/** One API with four scopes, rol_a holding all four, auth0|u holding none. */
const moveSeed = (): SeedDocument => ({
  resource_servers: [{ identifier: API, scopes: ["read:x", "write:x", "delete:x", "admin:x"] }],
  roles: [{ id: "rol_a", permissions: SEED_ROLE.map(w) }],
  users: [{ user_id: "auth0|u", permissions: [] }],
});

const names = (list: { permission_name: string }[]) => list.map((x) => x.permission_name).sort();

/**
 * An emulator per test, on the move seed: `start()` in the test, stopped after each test.
 * `roleHas()` / `userHas()` are rol_a's and auth0|u's permission names in the emulator, sorted.
 */
export function useMoveTenant() {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });
  const running = (): RunningEmulator => {
    if (emulator === undefined) throw new Error("move tenant not started: call start() in the test first");
    return emulator;
  };
  return {
    start: async (): Promise<RunningEmulator> => (emulator = await emulatorTenant({ seed: moveSeed() })),
    get emulator(): RunningEmulator {
      return running();
    },
    roleHas: () =>
      names(
        running()
          .admin.state()
          .roles.find((r) => r.id === "rol_a")!.permissions,
      ),
    userHas: () =>
      names(
        running()
          .admin.state()
          .users.find((u) => u.user_id === "auth0|u")!.permissions,
      ),
  };
}
