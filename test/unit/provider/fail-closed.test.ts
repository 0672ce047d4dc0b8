import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { ConfigurationError, MalformedStateError, UnrecognizedAnswerError } from "../../../src/errors";
import type { Handlers } from "../../../src/provider";
import { useNockedHandlers } from "../../helpers/nock";
import { API as RS, perm as p, wire as w } from "../../helpers/tenant";

/**
 * Fail closed: no success without its effect. Every case here reported success (or sent a request
 * built from garbage) before; each must now fail with a message naming what was wrong, and for
 * malformed state or configuration, before any request.
 */
const DOMAIN = "failclosed.test.auth0.com";
const BASE = `https://${DOMAIN}`;
const userPath = "/api/v2/users/auth0%7Cu1/permissions";
const rolePath = "/api/v2/roles/rol_1/permissions";
const STRAY_404 = { statusCode: 404, error: "Not Found", message: "Not Found" };
const USER_GONE = {
  statusCode: 404,
  error: "Not Found",
  message: "The user does not exist.",
  errorCode: "inexistent_user",
};
const ROLE_GONE = { statusCode: 404, error: "Not Found", message: "The role does not exist." };

const userState = (): Record<string, unknown> => ({
  schemaVersion: 1,
  domain: DOMAIN,
  userId: "auth0|u1",
  permissions: [p("a")],
});
const roleState = (): Record<string, unknown> => ({
  schemaVersion: 1,
  domain: DOMAIN,
  roleId: "rol_1",
  permissions: [p("a")],
  restoreOnDelete: true,
  removedPermissions: [p("a")],
  removedAt: "2026-11-01T00:00:00.000Z",
});

const { config, users, roles } = useNockedHandlers(DOMAIN, { strict: true });

describe("malformed state fails before any request, naming the field", () => {
  type Mutation = [string, (s: Record<string, unknown>) => void, RegExp];
  const userCases: Mutation[] = [
    ["userId missing", (s) => delete s["userId"], /userId must be a non-empty string, got nothing/],
    ["userId null", (s) => (s["userId"] = null), /userId must be a non-empty string, got null/],
    [
      "userId of another resource",
      (s) => (s["userId"] = "auth0|other"),
      /userId is "auth0\|other", but the resource id/,
    ],
    ["permissions a string", (s) => (s["permissions"] = "read:x"), /permissions must be a list .*got the string/],
    ["permissions missing", (s) => delete s["permissions"], /permissions must be a list/],
    [
      "a permission without its name",
      (s) => (s["permissions"] = [{ resourceServerIdentifier: RS }]),
      /permissions\[0\]\.permissionName/,
    ],
    ["a permission that is a string", (s) => (s["permissions"] = ["read:x"]), /permissions\[0\] must be an object/],
    ["driftedPermissions a string", (s) => (s["driftedPermissions"] = "a"), /driftedPermissions must be a list/],
    [
      "schemaVersion a string",
      (s) => (s["schemaVersion"] = "1"),
      /schemaVersion must be a whole number from 1, got the string "1"/,
    ],
    ["schemaVersion missing", (s) => delete s["schemaVersion"], /schemaVersion must be a whole number/],
    ["schemaVersion 0", (s) => (s["schemaVersion"] = 0), /schemaVersion must be a whole number/],
    ["domain missing", (s) => delete s["domain"], /domain must be a non-empty string/],
    ["domain a number", (s) => (s["domain"] = 443), /domain must be a non-empty string, got the number 443/],
  ];
  const roleCases: Mutation[] = [
    ["roleId missing", (s) => delete s["roleId"], /roleId must be a non-empty string/],
    ["permissions a string", (s) => (s["permissions"] = "a"), /permissions must be a list/],
    ["removedPermissions missing", (s) => delete s["removedPermissions"], /removedPermissions must be a list/],
    [
      "removedPermissions of nulls",
      (s) => (s["removedPermissions"] = [null]),
      /removedPermissions\[0\] must be an object/,
    ],
    ["restoreOnDelete a string", (s) => (s["restoreOnDelete"] = "false"), /restoreOnDelete must be true or false/],
    ["restoreOnDelete missing", (s) => delete s["restoreOnDelete"], /restoreOnDelete must be true or false/],
    ["removedAt a number", (s) => (s["removedAt"] = 5), /removedAt must be a string/],
    ["schemaVersion a string", (s) => (s["schemaVersion"] = "1"), /schemaVersion must be a whole number/],
    ["domain null", (s) => (s["domain"] = null), /domain must be a non-empty string, got null/],
  ];
  const calls = (h: () => Handlers, id: string, news: Record<string, unknown>) =>
    [
      ["diff", (s: unknown) => h().diff(id, s, news)],
      ["read", (s: unknown) => h().read(id, s)],
      ["update", (s: unknown) => h().update(id, s, news)],
      ["delete", (s: unknown) => h().delete(id, s)],
    ] as const;

  for (const [name, mutate, message] of userCases) {
    for (const [method, call] of calls(() => users, "auth0|u1", { userId: "auth0|u1", permissions: [p("a")] })) {
      it(`UserPermissions ${method}: ${name}`, async () => {
        const state = userState();
        mutate(state);
        const attempt = call(state);
        await expect(attempt).rejects.toBeInstanceOf(MalformedStateError);
        await expect(call(state)).rejects.toThrow(message);
        await expect(call(state)).rejects.toThrow(/UserPermissions 'auth0\|u1' has malformed state.*Nothing was sent/);
      });
    }
  }
  for (const [name, mutate, message] of roleCases) {
    const news = { roleId: "rol_1", permissions: [p("a")], restoreOnDelete: true };
    for (const [method, call] of calls(() => roles, "rol_1", news)) {
      it(`RolePermissionRemoval ${method}: ${name}`, async () => {
        const state = roleState();
        mutate(state);
        await expect(call(state)).rejects.toBeInstanceOf(MalformedStateError);
        await expect(call(state)).rejects.toThrow(message);
      });
    }
  }

  it("still reads valid state written by 0.1.0", async () => {
    nock(BASE)
      .delete(userPath, { permissions: [w("a")] })
      .reply(204);
    await users.delete("auth0|u1", { ...userState(), __provider: "exports.handler = ..." });
  });
});

describe("a 404 that is not Auth0's own 'does not exist' never means gone", () => {
  it("refresh of a user: a stray 404 while the user exists fails, naming what was answered", async () => {
    nock(BASE)
      .get(userPath)
      .query(true)
      .reply(404, STRAY_404)
      .get("/api/v2/users/auth0%7Cu1")
      .reply(200, { user_id: "auth0|u1" });
    const read = users.read("auth0|u1", userState());
    await expect(read).rejects.toBeInstanceOf(UnrecognizedAnswerError);
    await expect(read).rejects.toThrow(
      /Auth0 answered 404: Not Found about user 'auth0\|u1', but GET \/api\/v2\/users\/auth0%7Cu1 shows the user exists/,
    );
  });

  it("destroy of a user: a stray 404 to the DELETE while the user exists fails instead of reporting success", async () => {
    nock(BASE)
      .delete(userPath)
      .reply(404, STRAY_404)
      .get("/api/v2/users/auth0%7Cu1")
      .reply(200, { user_id: "auth0|u1" });
    await expect(users.delete("auth0|u1", userState())).rejects.toThrow(UnrecognizedAnswerError);
  });

  it("destroy of a user behind a wrong custom domain (every path 404s) fails, naming the answer", async () => {
    nock(BASE).delete(userPath).reply(404, STRAY_404).get("/api/v2/users/auth0%7Cu1").reply(404, STRAY_404);
    await expect(users.delete("auth0|u1", userState())).rejects.toThrow(
      /GET \/api\/v2\/users\/auth0%7Cu1 answered 404: Not Found, which is not Auth0's answer for a missing user/,
    );
  });

  it("a stray 404 is confirmed with GET /users/{id}: Auth0's inexistent_user there means gone", async () => {
    nock(BASE).get(userPath).query(true).reply(404, STRAY_404).get("/api/v2/users/auth0%7Cu1").reply(404, USER_GONE);
    expect(await users.read("auth0|u1", userState())).toEqual({ id: "" });
  });

  it("a user 404 with the role's message is not a user's 'does not exist'", async () => {
    nock(BASE).get(userPath).query(true).reply(404, ROLE_GONE).get("/api/v2/users/auth0%7Cu1").reply(200, {});
    await expect(users.read("auth0|u1", userState())).rejects.toThrow(UnrecognizedAnswerError);
  });

  it("refresh of a role: a stray 404 while the role exists fails", async () => {
    nock(BASE).get(rolePath).query(true).reply(404, STRAY_404).get("/api/v2/roles/rol_1").reply(200, { id: "rol_1" });
    await expect(roles.read("rol_1", roleState())).rejects.toThrow(/shows the role exists/);
  });

  it("destroy of a role: a stray 404 to the restore while the role exists fails instead of skipping the restore", async () => {
    nock(BASE).post(rolePath).reply(404, STRAY_404).get("/api/v2/roles/rol_1").reply(200, { id: "rol_1" });
    await expect(roles.delete("rol_1", roleState())).rejects.toThrow(UnrecognizedAnswerError);
  });

  it("a role 404 with an errorCode is not the recorded 'The role does not exist.' body", async () => {
    const lookalike = { ...ROLE_GONE, errorCode: "inexistent_role" };
    nock(BASE).get(rolePath).query(true).reply(404, lookalike).get("/api/v2/roles/rol_1").reply(404, lookalike);
    await expect(roles.read("rol_1", roleState())).rejects.toThrow(/which is not Auth0's answer for a missing role/);
  });
});

describe("a revoke Auth0 refuses is reported done only when the user does not hold it", () => {
  const refused = { statusCode: 400, error: "Bad Request", message: "Permission 'a' cannot be removed" };

  /** The revoke is refused, the user exists, the retried revoke is refused again, then the list answers `listing`. */
  const refusedTwiceThenListed = (listing: object) =>
    nock(BASE)
      .delete(userPath)
      .reply(400, refused)
      .get("/api/v2/users/auth0%7Cu1")
      .reply(200, {})
      .delete(userPath)
      .reply(400, refused)
      .get(userPath)
      .query(true)
      .reply(200, listing);

  it("fails when the user still holds the refused permission", async () => {
    refusedTwiceThenListed({
      permissions: [{ ...w("a"), sources: [{ source_type: "DIRECT" }] }],
      start: 0,
      limit: 100,
      total: 1,
    });
    await expect(users.delete("auth0|u1", userState())).rejects.toThrow(
      /Could not revoke a on https:\/\/api.example.com from user 'auth0\|u1': Auth0 refused the request, and the user still holds it/,
    );
  });

  it("completes, with a warning naming Auth0's answer, when the user does not hold it", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      refusedTwiceThenListed({ permissions: [], start: 0, limit: 100, total: 0 });
      await users.delete("auth0|u1", userState());
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain(
        "could not revoke a on https://api.example.com for user 'auth0|u1': Auth0 answered 400: Permission 'a' cannot be removed; skipped.",
      );
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("auth0:domain is checked by every handler, not only check", () => {
  it.each(["attacker:443\\failclosed.test.auth0.com", "failclosed.test.auth0.com:99999"])(
    "read, update and delete refuse %j before any request",
    async (domain) => {
      config["auth0:domain"] = domain;
      await expect(users.read("auth0|u1", userState())).rejects.toBeInstanceOf(ConfigurationError);
      await expect(users.delete("auth0|u1", userState())).rejects.toBeInstanceOf(ConfigurationError);
      await expect(
        roles.update("rol_1", roleState(), { roleId: "rol_1", permissions: [p("a")], restoreOnDelete: true }),
      ).rejects.toBeInstanceOf(ConfigurationError);
      await expect(users.check({}, { userId: "auth0|u1", permissions: [p("a")] })).rejects.toThrow(
        /auth0:domain must be/,
      );
    },
  );
});
