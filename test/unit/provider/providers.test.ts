import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { WrongTenantError } from "../../../src/errors";
import { rolePermissionRemovalHandlers } from "../../../src/provider/role-permission-removal";
import { PartialProgressError } from "../../../src/provider/partial-progress";
import { createRuntime } from "../../../src/provider/runtime";
import type { RolePermissionRemovalState, UserPermissionsState } from "../../../src/provider/state";
import { tuningKey } from "../../helpers/config";
import { permissionPage, useNockedHandlers } from "../../helpers/nock";
import { API as RS, perm as p, wire as w } from "../../helpers/tenant";

const DOMAIN = "provider.test.auth0.com";
const BASE = `https://${DOMAIN}`;
const body = (...names: string[]) => ({ permissions: names.map(w) });
const userPath = "/api/v2/users/auth0%7Cu1/permissions";
const rolePath = "/api/v2/roles/rol_1/permissions";

const userState = (names: string[], domain = DOMAIN): UserPermissionsState => ({
  schemaVersion: 1,
  domain,
  userId: "auth0|u1",
  permissions: names.map(p),
});
const roleState = (listed: string[], removed: string[], restoreOnDelete = true): RolePermissionRemovalState => ({
  schemaVersion: 1,
  domain: DOMAIN,
  roleId: "rol_1",
  permissions: listed.map(p),
  restoreOnDelete,
  removedPermissions: removed.map(p),
  removedAt: "2026-11-01T00:00:00.000Z",
});
const page = (names: string[], direct = true) => permissionPage(names, direct, RS);

const { config: values, users, roles } = useNockedHandlers(DOMAIN, { strict: true });
const setBatchSize = (size: string) => {
  values[tuningKey("batchSize")] = size;
};

describe("diff", () => {
  it.each<[string, string[], Record<string, unknown>, { changes: boolean; replaces: string[] }]>([
    [
      "the same set: no change",
      ["a", "b"],
      { userId: "auth0|u1", permissions: [p("a"), p("b")] },
      { changes: false, replaces: [] },
    ],
    [
      "another order and duplicates: no change",
      ["a", "b"],
      { userId: "auth0|u1", permissions: [p("b"), p("a"), p("b")] },
      { changes: false, replaces: [] },
    ],
    [
      "a permission added: in-place update",
      ["a"],
      { userId: "auth0|u1", permissions: [p("a"), p("b")] },
      { changes: true, replaces: [] },
    ],
    [
      "a permission removed: in-place update",
      ["a", "b"],
      { userId: "auth0|u1", permissions: [p("a")] },
      { changes: true, replaces: [] },
    ],
    [
      "a new userId: replacement",
      ["a"],
      { userId: "auth0|u2", permissions: [p("a")] },
      { changes: true, replaces: ["userId"] },
    ],
    [
      "an unknown list: a change",
      ["a"],
      { userId: "auth0|u1", permissions: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
      { changes: true, replaces: [] },
    ],
  ])("UserPermissions, %s", async (_name, old, news, expected) => {
    expect(await users.diff("auth0|u1", userState(old), news)).toEqual({ ...expected, deleteBeforeReplace: true });
  });

  it.each<[string, Record<string, unknown>, { changes: boolean; replaces: string[] }]>([
    [
      "the same set",
      { roleId: "rol_1", permissions: [p("a")], restoreOnDelete: true },
      { changes: false, replaces: [] },
    ],
    [
      "restoreOnDelete turned off",
      { roleId: "rol_1", permissions: [p("a")], restoreOnDelete: false },
      { changes: true, replaces: [] },
    ],
    [
      "a new roleId",
      { roleId: "rol_2", permissions: [p("a")], restoreOnDelete: true },
      { changes: true, replaces: ["roleId"] },
    ],
  ])("RolePermissionRemoval, %s", async (_name, news, expected) => {
    expect(await roles.diff("rol_1", roleState(["a"], ["a"]), news)).toEqual({
      ...expected,
      deleteBeforeReplace: true,
    });
  });

  it("refuses, at preview, a resource recorded in another tenant, and says what to do", async () => {
    await expect(
      users.diff("auth0|u1", userState(["a"], "old.auth0.com"), { userId: "auth0|u1", permissions: [p("a")] }),
    ).rejects.toThrow(
      /recorded in tenant 'old.auth0.com', but the provider is configured for 'provider.test.auth0.com'. Nothing was changed/,
    );
  });
});

describe("UserPermissions against the API", () => {
  it("create grants the list in one POST and records the tenant", async () => {
    nock(BASE).post(userPath, body("a", "b")).reply(201, {});
    const result = await users.create({ userId: "auth0|u1", permissions: [p("a"), p("b")] });
    expect(result).toEqual({ id: "auth0|u1", outs: userState(["a", "b"]) });
  });

  it("update sends only the difference: DELETE what left, then POST what joined", async () => {
    const order: string[] = [];
    nock(BASE)
      .delete(userPath, body("a"))
      .reply(204, () => (order.push("DELETE"), ""))
      .post(userPath, body("c"))
      .reply(201, () => (order.push("POST"), {}));
    const result = await users.update("auth0|u1", userState(["a", "b"]), {
      userId: "auth0|u1",
      permissions: [p("b"), p("c")],
    });
    expect(order).toEqual(["DELETE", "POST"]);
    expect(result.outs).toEqual(userState(["b", "c"]));
  });

  it("update with only a new order sends nothing", async () => {
    await users.update("auth0|u1", userState(["a", "b"]), { userId: "auth0|u1", permissions: [p("b"), p("a")] });
  });

  it("read records a listed permission missing in Auth0 as drift, keeping the list whole", async () => {
    nock(BASE)
      .get(userPath)
      .query(true)
      .reply(200, page(["a", "unmanaged"]));
    const result = await users.read("auth0|u1", userState(["a", "b"]));
    expect(result).toEqual({ id: "auth0|u1", props: { ...userState(["a", "b"]), driftedPermissions: [p("b")] } });
  });

  it("drift is a change, and the update grants only the drifted permission back", async () => {
    const drifted = { ...userState(["a", "b"]), driftedPermissions: [p("b")] };
    expect((await users.diff("auth0|u1", drifted, { userId: "auth0|u1", permissions: [p("a"), p("b")] })).changes).toBe(
      true,
    );
    nock(BASE).post(userPath, body("b")).reply(201, {});
    const result = await users.update("auth0|u1", drifted, { userId: "auth0|u1", permissions: [p("a"), p("b")] });
    expect(result.outs).toEqual(userState(["a", "b"]));
  });

  it("delete after a refresh found drift still revokes the whole list, in case it was granted again since", async () => {
    nock(BASE).delete(userPath, body("a", "b")).reply(204);
    await users.delete("auth0|u1", { ...userState(["a", "b"]), driftedPermissions: [p("b")] });
  });

  it("read never counts a permission inherited through a role as granted", async () => {
    nock(BASE)
      .get(userPath)
      .query(true)
      .reply(200, {
        permissions: [{ ...w("a"), sources: [{ source_type: "ROLE", source_id: "rol_9", source_name: "R" }] }],
        start: 0,
        limit: 100,
        total: 1,
      });
    expect((await users.read("auth0|u1", userState(["a"]))).props).toEqual({
      ...userState(["a"]),
      driftedPermissions: [p("a")],
    });
  });

  it("read of a deleted user removes the resource from state", async () => {
    nock(BASE).get(userPath).query(true).reply(404, {
      statusCode: 404,
      error: "Not Found",
      message: "The user does not exist.",
      errorCode: "inexistent_user",
    });
    expect(await users.read("auth0|u1", userState(["a"]))).toEqual({ id: "" });
  });

  it("delete revokes exactly the managed list", async () => {
    nock(BASE).delete(userPath, body("a", "b")).reply(204);
    await users.delete("auth0|u1", userState(["a", "b"]));
  });

  it("delete of a user that no longer exists counts as done", async () => {
    const gone = {
      statusCode: 404,
      error: "Not Found",
      message: "The user does not exist.",
      errorCode: "inexistent_user",
    };
    // Auth0's own answer for a missing user: no confirmation needed.
    nock(BASE).delete(userPath).reply(404, gone);
    await users.delete("auth0|u1", userState(["a"]));
  });

  it("delete refuses to touch a tenant other than the recorded one, sending nothing", async () => {
    await expect(users.delete("auth0|u1", userState(["a"], "old.auth0.com"))).rejects.toBeInstanceOf(WrongTenantError);
  });

  it("refuses state written by a newer schema version", async () => {
    await expect(users.delete("auth0|u1", { ...userState(["a"]), schemaVersion: 99 })).rejects.toThrow(
      /newer pulumi-auth0-permissions/,
    );
  });
});

describe("RolePermissionRemoval against the API", () => {
  it("create removes only the listed permissions that are present, and records exactly those", async () => {
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["a", "keep"], false))
      .delete(rolePath, body("a"))
      .reply(204);
    const result = await roles.create({ roleId: "rol_1", permissions: [p("a"), p("absent")], restoreOnDelete: true });
    expect(result.outs).toMatchObject({
      permissions: [p("a"), p("absent")],
      removedPermissions: [p("a")],
      restoreOnDelete: true,
      domain: DOMAIN,
    });
    expect(Date.parse((result.outs as RolePermissionRemovalState).removedAt!)).not.toBeNaN();
  });

  it("create sends no DELETE when none of the listed permissions is on the role", async () => {
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["keep"], false));
    const result = await roles.create({ roleId: "rol_1", permissions: [p("absent")], restoreOnDelete: true });
    expect(result.outs).toMatchObject({ removedPermissions: [] });
    // Absent, not undefined: the engine's protobuf Struct cannot carry undefined.
    expect(result.outs).not.toHaveProperty("removedAt");
  });

  it("read shows a listed permission that is back on the role as drift", async () => {
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["a"], false));
    const result = await roles.read("rol_1", roleState(["a", "b"], ["a", "b"]));
    expect(result.props).toMatchObject({ permissions: [p("b")], removedPermissions: [p("a"), p("b")] });
  });

  it("update removes a newly listed permission and restores one no longer listed that it had removed", async () => {
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["c"], false))
      .delete(rolePath, body("c"))
      .reply(204)
      .post(rolePath, body("a"))
      .reply(201, {});
    const result = await roles.update("rol_1", roleState(["a", "b"], ["a"]), {
      roleId: "rol_1",
      permissions: [p("b"), p("c")],
      restoreOnDelete: true,
    });
    expect(result.outs).toMatchObject({ permissions: [p("b"), p("c")], removedPermissions: [p("c")] });
  });

  it("update after a refresh that narrowed the list still restores, and forgets, a permission no longer listed", async () => {
    // State after `refresh` saw X back on the role: X left `permissions` but is still recorded.
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["x"], false))
      .delete(rolePath, body("x"))
      .reply(204);
    const narrowed = { ...roleState(["y"], ["x", "y"]) };
    const result = await roles.update("rol_1", narrowed, {
      roleId: "rol_1",
      permissions: [p("x"), p("y")],
      restoreOnDelete: true,
    });
    expect(result.outs).toMatchObject({ removedPermissions: [p("x"), p("y")] });

    nock(BASE).post(rolePath, body("x")).reply(201, {});
    // A later deployment: a new provider process, whose ledger does not hold the first update's claims.
    const later = rolePermissionRemovalHandlers(createRuntime({ config: (key) => values[key], env: {} }));
    const dropped = await later.update("rol_1", narrowed, {
      roleId: "rol_1",
      permissions: [p("y")],
      restoreOnDelete: true,
    });
    expect(dropped.outs).toMatchObject({ removedPermissions: [p("y")] });
  });

  it("a create that fails after removing part of the list keeps the record of what it removed", async () => {
    setBatchSize("1");
    nock(BASE)
      .get(rolePath)
      .query(true)
      .reply(200, page(["a", "b"], false))
      .delete(rolePath, body("a"))
      .reply(204)
      .delete(rolePath, body("b"))
      .reply(400, { statusCode: 400, error: "Bad Request", message: "Payload validation error" });
    const error = (await roles
      .create({ roleId: "rol_1", permissions: [p("a"), p("b")], restoreOnDelete: true, __provider: "code" } as never)
      .catch((e: unknown) => e)) as PartialProgressError;
    expect(error).toBeInstanceOf(PartialProgressError);
    expect(error.message).toMatch(/Payload validation error.*run `pulumi up` again to finish/);
    expect(error.id).toBe("rol_1");
    expect(error.properties).toMatchObject({ permissions: [p("a")], removedPermissions: [p("a")], __provider: "code" });
  });

  it("an update that fails midway records what it did, so the next run redoes only the rest", async () => {
    setBatchSize("1");
    nock(BASE)
      .delete(userPath, body("a"))
      .reply(204)
      .post(userPath, body("c"))
      .reply(201, {})
      .post(userPath, body("d"))
      .reply(403, {
        statusCode: 403,
        error: "Forbidden",
        message: "Insufficient scope",
        errorCode: "insufficient_scope",
      });
    const error = (await users
      .update("auth0|u1", userState(["a", "b"]), {
        userId: "auth0|u1",
        permissions: [p("b"), p("c"), p("d")],
        __provider: "code",
      } as never)
      .catch((e: unknown) => e)) as PartialProgressError;
    expect(error).toBeInstanceOf(PartialProgressError);
    expect(error.properties).toMatchObject({ permissions: [p("b"), p("c")], __provider: "code" });
  });

  it("a failure before anything changed is a plain error: there is no progress to keep", async () => {
    nock(BASE).post(userPath).reply(403, {
      statusCode: 403,
      error: "Forbidden",
      message: "Insufficient scope",
      errorCode: "insufficient_scope",
    });
    const error = await users.create({ userId: "auth0|u1", permissions: [p("a")] }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PartialProgressError);
  });

  it("update never restores a permission it did not remove", async () => {
    const result = await roles.update("rol_1", roleState(["a", "b"], ["a"]), {
      roleId: "rol_1",
      permissions: [p("a")],
      restoreOnDelete: true,
    });
    expect(result.outs).toMatchObject({ removedPermissions: [p("a")] });
  });

  it("update with restoreOnDelete off forgets, without restoring, what is no longer listed", async () => {
    nock(BASE).get(rolePath).query(true).reply(200, page([], false));
    const result = await roles.update("rol_1", roleState(["a"], ["a"]), {
      roleId: "rol_1",
      permissions: [p("z")],
      restoreOnDelete: false,
    });
    expect(result.outs).toMatchObject({ removedPermissions: [] });
  });

  it("delete restores exactly the recorded removals", async () => {
    nock(BASE).post(rolePath, body("a", "b")).reply(201, {});
    await roles.delete("rol_1", roleState(["a", "b", "never-there"], ["a", "b"]));
  });

  it("delete with restoreOnDelete off sends nothing", async () => {
    await roles.delete("rol_1", roleState(["a"], ["a"], false));
  });

  it("delete of a role that no longer exists counts as done", async () => {
    const gone = { statusCode: 404, error: "Not Found", message: "The role does not exist." };
    nock(BASE).post(rolePath).reply(404, gone);
    await roles.delete("rol_1", roleState(["a"], ["a"]));
  });

  it("delete completes when a recorded permission no longer exists, and names it", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const missing = {
        statusCode: 404,
        error: "Not Found",
        message: "The resource server does not exist",
        errorCode: "inexistent_resource_server",
      };
      nock(BASE)
        .post(rolePath, body("a", "gone"))
        .reply(404, missing)
        .get("/api/v2/roles/rol_1")
        .reply(200, { id: "rol_1", name: "r" })
        .post(rolePath, body("a"))
        .reply(201, {})
        .post(rolePath, body("gone"))
        .reply(404, missing);
      await roles.delete("rol_1", roleState(["a", "gone"], ["a", "gone"]));
      const printed = stderr.mock.calls.map((c) => String(c[0])).join("");
      expect(printed).toContain(
        "could not restore 1 permission(s) Auth0 refused (deleted, or rejected; see the warnings above): gone on https://api.example.com",
      );
    } finally {
      stderr.mockRestore();
    }
  });
});
