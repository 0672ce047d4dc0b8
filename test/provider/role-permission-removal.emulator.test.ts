import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import type { RolePermissionRemovalState } from "../../src/provider/state";
import { emulatorTenant, provider } from "./emulator-tenant";
import { removalInputs } from "./removal-steps";
import { API, perm as p, wire as w } from "../helpers/tenant";

const users = provider("UserPermissions");
const roles = provider("RolePermissionRemoval");

const seed = {
  resource_servers: [{ identifier: API, scopes: ["read:x", "write:x", "delete:x", "admin:x"] }],
  roles: [{ id: "rol_a", permissions: [w("read:x"), w("write:x"), w("delete:x")] }],
  users: [{ user_id: "auth0|u", permissions: [w("read:x")] }],
};

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const roleNames = (e: RunningEmulator) =>
  e.admin
    .state()
    .roles[0]!.permissions.map((x) => x.permission_name)
    .sort();

describe("RolePermissionRemoval against the emulator", () => {
  it("removes, shows drift, removes again, and restores exactly what it removed", async () => {
    emulator = await emulatorTenant({ seed });
    const created = await roles.create(removalInputs("rol_a", [p("delete:x"), p("admin:x")]));
    const state = created.outs as RolePermissionRemovalState;
    expect(state.removedPermissions).toEqual([p("delete:x")]);
    expect(roleNames(emulator)).toEqual(["read:x", "write:x"]);

    emulator.admin.seed({ roles: [{ id: "rol_a", permissions: [w("read:x"), w("write:x"), w("delete:x")] }] });
    const read = await roles.read("rol_a", state);
    expect(read.props.permissions).toEqual([p("admin:x")]);
    const updated = await roles.update("rol_a", read.props, removalInputs("rol_a", [p("admin:x"), p("delete:x")]));
    expect(roleNames(emulator)).toEqual(["read:x", "write:x"]);

    await roles.delete("rol_a", updated.outs as RolePermissionRemovalState);
    expect(roleNames(emulator)).toEqual(["delete:x", "read:x", "write:x"]);
  });

  it("works against a tenant that answers 409 to an already assigned permission", async () => {
    emulator = await emulatorTenant({ seed, duplicateAssign: "conflict" });
    const created = await users.create({ userId: "auth0|u", permissions: [p("read:x"), p("write:x")] });
    expect(
      emulator.admin
        .state()
        .users[0]!.permissions.map((x) => x.permission_name)
        .sort(),
    ).toEqual(["read:x", "write:x"]);
    await users.delete("auth0|u", created.outs);
  });

  it("completes a destroy when a recorded permission's scope was deleted from the API, naming it", async () => {
    emulator = await emulatorTenant({ seed });
    const created = await roles.create(removalInputs("rol_a", [p("delete:x"), p("write:x")]));
    emulator.admin.seed({ resource_servers: [{ identifier: API, scopes: ["read:x", "write:x", "admin:x"] }] });
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await roles.delete("rol_a", created.outs as RolePermissionRemovalState);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toMatch(
        /could not restore 1 permission\(s\) Auth0 refused \(deleted, or rejected; see the warnings above\): delete:x on https:\/\/api.example.com/,
      );
    } finally {
      stderr.mockRestore();
    }
    expect(roleNames(emulator)).toEqual(["read:x", "write:x"]);
  });

  it("delete of a role deleted out of band counts as done", async () => {
    emulator = await emulatorTenant({ seed });
    const created = await roles.create(removalInputs("rol_a", [p("delete:x")]));
    emulator.admin.seed({ roles: [] }, { replace: false });
    emulator.admin.seed({ resource_servers: seed.resource_servers, users: seed.users }, { replace: true });
    await roles.delete("rol_a", created.outs as RolePermissionRemovalState);
    expect(await roles.read("rol_a", created.outs as RolePermissionRemovalState)).toEqual({ id: "" });
  });

  it("keeps 20 parallel operations on the free plan's 2 requests/s without a failure", async () => {
    emulator = await emulatorTenant({
      seed: { ...seed, users: Array.from({ length: 20 }, (_, i) => ({ user_id: `auth0|u${i}`, permissions: [] })) },
      rateLimit: "free",
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => users.create({ userId: `auth0|u${i}`, permissions: [p("read:x")] })),
    );
    const log = emulator.admin.requests();
    const writes = log.filter((r) => r.method === "POST" && r.path.startsWith("/api/v2/"));
    expect(writes.filter((r) => r.status === 201)).toHaveLength(20);
    expect(emulator.admin.state().users.every((u) => u.permissions.length === 1)).toBe(true);
    console.log(
      `free plan: ${writes.length} POSTs for 20 grants, ${log.filter((r) => r.status === 429).length} answered 429`,
    );
  }, 60_000);
});
