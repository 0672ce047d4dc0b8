import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import type { RolePermissionRemovalState, UserPermissionsState } from "../../src/provider/state";
import { emulatorTenant, newDeployment, provider } from "../provider/emulator-tenant";
import { API, perm as p, wire as w } from "../helpers/tenant";

/**
 * A tenant address that lies: a proxy, a gateway, a wrong custom domain or a moved route answering
 * 404s that are not Auth0's, and a server whose pages do not add up. Through the provider's handlers
 * over real HTTPS, as the engine calls them. Each of these reported success without the effect
 * before; each must now fail, naming what was answered, and leave the tenant as it was.
 */
const many = Array.from({ length: 150 }, (_, i) => `p:${String(i).padStart(3, "0")}`);
const seed = {
  resource_servers: [{ identifier: API, scopes: [...many, "read:x", "write:x", "z:delete"] }],
  roles: [{ id: "rol_big", permissions: [...many, "z:delete"].map(w) }],
  users: [{ user_id: "auth0|u", permissions: [] }],
};
const STRAY_404 = { statusCode: 404, error: "Not Found", message: "Not Found" };

const users = provider("UserPermissions");
const roles = provider("RolePermissionRemoval");

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const direct = (e: RunningEmulator, userId: string) =>
  e.admin
    .state()
    .users.find((u) => u.user_id === userId)!
    .permissions.map((x) => x.permission_name)
    .sort();
const onRole = (e: RunningEmulator) => e.admin.state().roles.find((r) => r.id === "rol_big")!.permissions.length;

describe("stray 404s never mean 'gone'", () => {
  it("destroy: a proxy's 404 to the DELETE fails, nothing is reported revoked, and a retry revokes", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await users.create({ userId: "auth0|u", permissions: [p("read:x"), p("write:x")] });
    const state = created.outs as UserPermissionsState;
    await newDeployment(); // the destroy is a later deployment than the create
    emulator.admin.addFault({
      match: { method: "DELETE", path: "/permissions$" },
      response: { status: 404, body: STRAY_404 },
    });
    await expect(users.delete("auth0|u", state)).rejects.toThrow(
      /Auth0 answered 404: Not Found about user 'auth0\|u', but GET \/api\/v2\/users\/auth0%7Cu shows the user exists/,
    );
    expect(direct(emulator, "auth0|u")).toEqual(["read:x", "write:x"]); // not revoked: and not reported revoked
    await users.delete("auth0|u", state);
    expect(direct(emulator, "auth0|u")).toEqual([]);
  });

  it("destroy behind a wrong custom domain (every path 404s) fails, naming both answers", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await users.create({ userId: "auth0|u", permissions: [p("read:x")] });
    await newDeployment(); // the destroy is a later deployment than the create
    emulator.admin.addFault({ match: { path: "^/api/v2/" }, times: 10, response: { status: 404, body: STRAY_404 } });
    await expect(users.delete("auth0|u", created.outs as UserPermissionsState)).rejects.toThrow(
      /GET \/api\/v2\/users\/auth0%7Cu answered 404: Not Found, which is not Auth0's answer for a missing user/,
    );
    expect(direct(emulator, "auth0|u")).toEqual(["read:x"]);
  });

  it("refresh: a moved route's 404 on the list fails instead of dropping the resource from state", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await users.create({ userId: "auth0|u", permissions: [p("read:x")] });
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      response: { status: 404, body: STRAY_404 },
    });
    await expect(users.read("auth0|u", created.outs as UserPermissionsState)).rejects.toThrow(/shows the user exists/);
  });

  it("destroy of a removal: a stray 404 to the restore fails instead of skipping it", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await roles.create({ roleId: "rol_big", permissions: [p("z:delete")], restoreOnDelete: true });
    const state = created.outs as RolePermissionRemovalState;
    expect(state.removedPermissions).toEqual([p("z:delete")]);
    emulator.admin.addFault({
      match: { method: "POST", path: "/permissions$" },
      response: { status: 404, body: STRAY_404 },
    });
    await expect(roles.delete("rol_big", state)).rejects.toThrow(/shows the role exists/);
    expect(onRole(emulator)).toBe(150);
    await roles.delete("rol_big", state);
    expect(onRole(emulator)).toBe(151);
  });

  it("a real 'does not exist' still counts as done: the user was deleted out of band", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await users.create({ userId: "auth0|u", permissions: [p("read:x")] });
    emulator.admin.seed({ ...seed, users: [] }, { replace: true });
    await users.delete("auth0|u", created.outs as UserPermissionsState);
    expect(await users.read("auth0|u", created.outs as UserPermissionsState)).toEqual({ id: "" });
  });
});

describe("pages that do not add up fail the read, so a removal never 'succeeds' with the permission still on", () => {
  const firstPage = { permissions: many.slice(0, 100).map(w), start: 0, limit: 100 };

  it("a full page next to total 0", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      response: { status: 200, body: { ...firstPage, total: 0 } },
    });
    await expect(
      roles.create({ roleId: "rol_big", permissions: [p("z:delete")], restoreOnDelete: true }),
    ).rejects.toThrow(/pages of the list disagree \(100 entries were listed but total says 0/);
    expect(onRole(emulator)).toBe(151);
  });

  it("the same page served twice", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      times: 2,
      response: { status: 200, body: { ...firstPage, total: 200 } },
    });
    await expect(
      roles.create({ roleId: "rol_big", permissions: [p("z:delete")], restoreOnDelete: true }),
    ).rejects.toThrow(/p:000 on https:\/\/api.example.com was listed twice/);
    expect(onRole(emulator)).toBe(151);
  });

  it("an empty page while total says more", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      response: { status: 200, body: { ...firstPage, total: 151 } },
    });
    emulator.admin.addFault({
      match: { method: "GET", path: "/permissions$" },
      response: { status: 200, body: { permissions: [], start: 100, limit: 100, total: 151 } },
    });
    await expect(
      roles.create({ roleId: "rol_big", permissions: [p("z:delete")], restoreOnDelete: true }),
    ).rejects.toThrow(/an empty page after 100 entries, but total says 151/);
  });

  it("the honest emulator: the listed permission on page 1 is found, removed, recorded and restored", async () => {
    emulator = await emulatorTenant({ seed }, { maxRetries: "0" });
    const created = await roles.create({ roleId: "rol_big", permissions: [p("z:delete")], restoreOnDelete: true });
    expect((created.outs as RolePermissionRemovalState).removedPermissions).toEqual([p("z:delete")]);
    expect(onRole(emulator)).toBe(150);
    await roles.delete("rol_big", created.outs as RolePermissionRemovalState);
    expect(onRole(emulator)).toBe(151);
  });
});

describe("malformed state sends nothing", () => {
  it.each<[string, Record<string, unknown>]>([
    ["no userId", { schemaVersion: 1, domain: "", permissions: [p("read:x")] }],
    ["permissions a string", { schemaVersion: 1, domain: "", userId: "auth0|u", permissions: "read:x" }],
    ["schemaVersion a string", { schemaVersion: "1", domain: "", userId: "auth0|u", permissions: [p("read:x")] }],
  ])("destroy with %s fails naming the field, and the tenant sees no request", async (_name, state) => {
    emulator = await emulatorTenant({ seed: { ...seed, users: [{ user_id: "auth0|u", permissions: [w("read:x")] }] } });
    const withDomain = { ...state, domain: emulator.domain };
    emulator.admin.clearRequests();
    await expect(users.delete("auth0|u", withDomain)).rejects.toThrow(
      /has malformed state: .* Nothing was sent to Auth0/,
    );
    expect(emulator.admin.requests()).toEqual([]);
    expect(direct(emulator, "auth0|u")).toEqual(["read:x"]);
  });
});
