import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import type { UserPermissionsState } from "../../src/provider/state";
import { emulatorTenant, newDeployment, provider } from "./emulator-tenant";
import { API, perm as p, wire as w } from "../helpers/tenant";

const users = provider("UserPermissions");

const scopes = Array.from({ length: 300 }, (_, i) => `scope:${String(i).padStart(3, "0")}`);

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await emulatorTenant({
    seed: {
      resource_servers: [{ identifier: API, scopes: [...scopes, "via:role", "read:x"] }],
      roles: [{ id: "rol_viewer", permissions: [w("via:role")] }],
      users: [
        { user_id: "auth0|many", permissions: scopes.slice(0, 250).map(w) },
        { user_id: "auth0|member", permissions: [], roles: ["rol_viewer"] },
        { user_id: "auth0|plain", permissions: [] },
      ],
    },
  });
});
afterAll(() => emulator.stop());

const direct = (userId: string) =>
  emulator.admin
    .state()
    .users.find((u) => u.user_id === userId)!
    .permissions.map((x) => x.permission_name)
    .sort();

describe("UserPermissions against the emulator", () => {
  it("refresh reads every page of a user with 250 direct permissions", async () => {
    const listed = [p("scope:000"), p("scope:249"), p("scope:260")];
    const state = {
      schemaVersion: 1,
      domain: emulator.domain,
      userId: "auth0|many",
      permissions: listed,
    } satisfies UserPermissionsState;
    emulator.admin.clearRequests();
    const read = await users.read("auth0|many", state);
    expect(read.props.permissions).toEqual(listed);
    expect(read.props.driftedPermissions).toEqual([p("scope:260")]);
    expect(
      emulator.admin
        .requests()
        .filter((r) => r.method === "GET")
        .map((r) => r.query["page"]),
    ).toEqual(["0", "1", "2"]);
  });

  it("a permission the user only inherits through a role is not a direct grant, so create grants it", async () => {
    const created = await users.create({ userId: "auth0|member", permissions: [p("via:role")] });
    expect(direct("auth0|member")).toEqual(["via:role"]);
    expect((await users.read("auth0|member", created.outs)).props.permissions).toEqual([p("via:role")]);
    await newDeployment();
    await users.delete("auth0|member", created.outs);
    expect(direct("auth0|member")).toEqual([]);
    // The role still grants it; revoking the direct grant never touches the role.
    expect(emulator.admin.state().roles[0]!.permissions).toEqual([w("via:role")]);
  });

  it("create, update and delete leave unmanaged permissions alone", async () => {
    emulator.admin.seed({ users: [{ user_id: "auth0|plain", permissions: [w("scope:299")] }] });
    const created = await users.create({ userId: "auth0|plain", permissions: [p("read:x"), p("scope:001")] });
    await newDeployment();
    const updated = await users.update("auth0|plain", created.outs, {
      userId: "auth0|plain",
      permissions: [p("scope:001"), p("scope:002")],
    });
    expect(direct("auth0|plain")).toEqual(["scope:001", "scope:002", "scope:299"]);
    await newDeployment();
    await users.delete("auth0|plain", updated.outs!);
    expect(direct("auth0|plain")).toEqual(["scope:299"]);
  });

  it("fails clearly on a permission the API does not define, naming the user", async () => {
    await expect(users.create({ userId: "auth0|plain", permissions: [p("no:such")] })).rejects.toThrow(
      /^Could not grant permissions to user 'auth0\|plain' \(no:such on https:\/\/api.example.com\): Auth0 answered 400/,
    );
  });

  it("fails clearly on an API that does not exist", async () => {
    await expect(
      users.create({
        userId: "auth0|plain",
        permissions: [{ resourceServerIdentifier: "https://nope", permissionName: "a" }],
      }),
    ).rejects.toThrow(/Auth0 answered 404: "The resource server does not exist/);
  });

  it("fails clearly for a user that does not exist", async () => {
    await expect(users.create({ userId: "auth0|ghost", permissions: [p("read:x")] })).rejects.toThrow(
      /user 'auth0\|ghost'.*Auth0 answered 404/,
    );
  });

  it("gets a new token when tokens expire in the middle of a deployment", async () => {
    await users.create({ userId: "auth0|plain", permissions: [p("scope:010")] });
    emulator.admin.clearRequests();
    emulator.admin.expireTokens();
    // Another resource of the same deployment: its revoke is not one this deployment granted.
    await users.delete("auth0|plain", {
      schemaVersion: 1,
      domain: emulator.domain,
      userId: "auth0|plain",
      permissions: [p("scope:012")],
    });
    expect(emulator.admin.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "DELETE /api/v2/users/auth0%7Cplain/permissions 401",
      "POST /oauth/token 200",
      "DELETE /api/v2/users/auth0%7Cplain/permissions 204",
    ]);
  });

  it("rides out 503s and a connection reset", async () => {
    emulator.admin.addFault({
      match: { method: "POST", path: "/permissions$" },
      times: 2,
      response: { status: 503, body: { statusCode: 503, error: "Service Unavailable", message: "busy" } },
    });
    emulator.admin.addFault({ match: { method: "POST", path: "/permissions$" }, times: 1, reset_connection: true });
    const created = await users.create({ userId: "auth0|plain", permissions: [p("scope:011")] });
    expect(direct("auth0|plain")).toContain("scope:011");
    await newDeployment();
    await users.delete("auth0|plain", created.outs);
  });
});
