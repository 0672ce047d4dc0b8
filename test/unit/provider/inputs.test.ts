import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN_VALUE } from "../../../src/provider/inputs";
import { rolePermissionRemovalHandlers } from "../../../src/provider/role-permission-removal";
import { createRuntime, type RuntimeOptions } from "../../../src/provider/runtime";
import { userPermissionsHandlers } from "../../../src/provider/user-permissions";

const RS = "https://api.example.com";
const ok = { resourceServerIdentifier: RS, permissionName: "read:x" };

const configured: RuntimeOptions = {
  config: (key) => ({ "auth0:domain": "t.auth0.com", "auth0:clientId": "id", "auth0:clientSecret": "secret" })[key],
  env: {},
};
const userPermissionsProvider = userPermissionsHandlers(createRuntime(configured));
const rolePermissionRemovalProvider = rolePermissionRemovalHandlers(createRuntime(configured));

async function failuresOf(news: Record<string, unknown>) {
  const result = await userPermissionsProvider.check({}, news);
  return result.failures ?? [];
}

describe("check: bad input fails the preview, naming the property", () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["a missing userId", { permissions: [ok] }, "userId", /userId is required/],
    ["an empty userId", { userId: "", permissions: [ok] }, "userId", /userId must not be empty/],
    ["a white-space userId", { userId: "   ", permissions: [ok] }, "userId", /only white space/],
    [
      "a userId padded with spaces",
      { userId: " auth0|a ", permissions: [ok] },
      "userId",
      /must not start or end with white space/,
    ],
    ["a numeric userId", { userId: 42, permissions: [ok] }, "userId", /must be a string, got a number/],
    ["a userId with a newline", { userId: "auth0|a\nb", permissions: [ok] }, "userId", /control characters/],
    [
      "a very long userId",
      { userId: "x".repeat(5000), permissions: [ok] },
      "userId",
      /5000 characters long; the maximum is 1024/,
    ],
    [
      "a userId with a lone surrogate",
      { userId: "auth0|\uD800x", permissions: [ok] },
      "userId",
      /lone UTF-16 surrogate/,
    ],
    ["a userId of a trailing lone surrogate", { userId: "auth0|\uDBFF", permissions: [ok] }, "userId", /lone/],
    ["a userId that is a dot segment", { userId: ".", permissions: [ok] }, "userId", /must not be "\."/],
    ["a userId that is a dot-dot segment", { userId: "..", permissions: [ok] }, "userId", /must not be "\.\."/],
    [
      "a permissionName with a lone surrogate",
      { userId: "u", permissions: [{ resourceServerIdentifier: RS, permissionName: "read:\uDC00" }] },
      "permissions[0].permissionName",
      /lone UTF-16 surrogate/,
    ],
    [
      "an identifier with a lone surrogate",
      { userId: "u", permissions: [{ resourceServerIdentifier: "https://api\uD83D", permissionName: "a" }] },
      "permissions[0].resourceServerIdentifier",
      /lone UTF-16 surrogate/,
    ],
    ["no permissions", { userId: "u" }, "permissions", /must be a list/],
    ["an empty list", { userId: "u", permissions: [] }, "permissions", /at least one permission/],
    ["a string instead of a list", { userId: "u", permissions: "read:x" }, "permissions", /must be a list/],
    ["a null item", { userId: "u", permissions: [null] }, "permissions[0]", /must be an object/],
    ["a string item", { userId: "u", permissions: ["read:x"] }, "permissions[0]", /must be an object/],
    [
      "a missing permissionName",
      { userId: "u", permissions: [{ resourceServerIdentifier: RS }] },
      "permissions[0].permissionName",
      /is required/,
    ],
    [
      "an empty identifier",
      { userId: "u", permissions: [{ resourceServerIdentifier: "", permissionName: "a" }] },
      "permissions[0].resourceServerIdentifier",
      /must not be empty/,
    ],
    [
      "a numeric permissionName",
      { userId: "u", permissions: [{ resourceServerIdentifier: RS, permissionName: 7 }] },
      "permissions[0].permissionName",
      /must be a string/,
    ],
    [
      "a permissionName with a space",
      { userId: "u", permissions: [{ resourceServerIdentifier: RS, permissionName: "read x" }] },
      "permissions[0].permissionName",
      /white space/,
    ],
    [
      "snake_case field names",
      { userId: "u", permissions: [{ resource_server_identifier: RS, permission_name: "a" }] },
      "permissions[0].resource_server_identifier",
      /Use resourceServerIdentifier/,
    ],
    [
      "a very long permissionName",
      { userId: "u", permissions: [{ resourceServerIdentifier: RS, permissionName: "p".repeat(281) }] },
      "permissions[0].permissionName",
      /maximum is 280/,
    ],
  ])("rejects %s", async (_name, news, property, reason) => {
    const failures = await failuresOf(news);
    // The reason names the property; the engine's own property field stays empty (see forEngine in inputs.ts).
    expect(failures.every((f) => f.property === "")).toBe(true);
    expect(failures.find((f) => f.reason.startsWith(`${property} `))?.reason).toMatch(reason);
  });

  it("rejects more than 1000 distinct permissions, Auth0's cap", async () => {
    const permissions = Array.from({ length: 1001 }, (_, i) => ({
      resourceServerIdentifier: RS,
      permissionName: `p${i}`,
    }));
    expect((await failuresOf({ userId: "u", permissions }))[0]?.reason).toMatch(
      /1001 distinct permissions; Auth0 allows at most 1000/,
    );
  });

  it("accepts 1000 permissions listed with duplicates, counting each once", async () => {
    const permissions = Array.from({ length: 2000 }, (_, i) => ({
      resourceServerIdentifier: RS,
      permissionName: `p${i % 1000}`,
    }));
    const result = await userPermissionsProvider.check({}, { userId: "u", permissions });
    expect(result.failures).toBeUndefined();
    expect(result.inputs?.["permissions"]).toHaveLength(1000);
  });

  it("canonicalizes: duplicates removed and a stable sort", async () => {
    const result = await userPermissionsProvider.check(
      {},
      {
        userId: "auth0|a",
        permissions: [{ resourceServerIdentifier: RS, permissionName: "write:x" }, ok, ok],
      },
    );
    expect(result.inputs).toEqual({
      userId: "auth0|a",
      permissions: [ok, { resourceServerIdentifier: RS, permissionName: "write:x" }],
    });
  });

  it("lets values that are unknown during preview pass through", async () => {
    expect(pulumi.runtime.unknownValue).toBe(UNKNOWN_VALUE);
    for (const news of [
      { userId: UNKNOWN_VALUE, permissions: [ok] },
      { userId: "u", permissions: UNKNOWN_VALUE },
      { userId: "u", permissions: [UNKNOWN_VALUE, ok] },
      { userId: "u", permissions: [{ resourceServerIdentifier: UNKNOWN_VALUE, permissionName: "a" }] },
    ]) {
      const result = await userPermissionsProvider.check({}, news);
      expect(result.failures).toBeUndefined();
      expect(result.inputs).toEqual(news);
    }
  });

  it("rejects a non-boolean restoreOnDelete and defaults it to true", async () => {
    const bad = await rolePermissionRemovalProvider.check(
      {},
      { roleId: "rol_1", permissions: [ok], restoreOnDelete: "yes" },
    );
    expect(bad.failures).toEqual([
      { property: "", reason: 'restoreOnDelete must be true or false, got the string "yes".' },
    ]);
    const defaulted = await rolePermissionRemovalProvider.check({}, { roleId: "rol_1", permissions: [ok] });
    expect(defaulted.inputs).toMatchObject({ restoreOnDelete: true });
  });

  it("fails the preview when no domain or credentials are configured, naming the key", async () => {
    const unconfigured = userPermissionsHandlers(createRuntime({ config: () => undefined, env: {} }));
    await expect(unconfigured.check({}, { userId: "u", permissions: [ok] })).rejects.toThrow(/auth0:domain is not set/);
  });
});

describe("check: a role id gets the same rules", () => {
  it.each([".", "..", "rol_\uD800"])("rejects roleId %j, naming the property", async (roleId) => {
    const result = await rolePermissionRemovalProvider.check({}, { roleId, permissions: [ok] });
    expect(result.failures?.map((f) => f.reason.split(" ")[0])).toEqual(["roleId"]);
  });

  it("accepts well-formed ids that merely contain dots or surrogate pairs", async () => {
    for (const userId of ["auth0|a.b", "...", "email|\uD83D\uDE00"]) {
      expect((await userPermissionsProvider.check({}, { userId, permissions: [ok] })).failures).toBeUndefined();
    }
  });
});

describe("check failures stay short whatever the input size", () => {
  it("never echoes the list, cuts quoted values short, and lists at most 10 problems", async () => {
    const huge = Array.from({ length: 1001 }, (_, i) => ({ resourceServerIdentifier: RS, permissionName: `p ${i}` }));
    const failures = await failuresOf({ userId: "u", permissions: huge });
    expect(failures).toHaveLength(11);
    expect(failures[10]?.reason).toBe("...and 991 more problem(s) of the same kind.");
    expect(failures.map((f) => f.reason).join("\n").length).toBeLessThan(2500);
    const padded = await failuresOf({ userId: ` ${"x".repeat(900)} `, permissions: [ok] });
    expect(padded[0]?.reason).toMatch(
      /userId must not start or end with white space, got " x{59}"… \(902 characters\)/,
    );
  });

  it("an over-the-cap list is described by its count, not echoed", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ resourceServerIdentifier: RS, permissionName: `p:${i}` }));
    const failures = await failuresOf({ userId: "u", permissions: many });
    expect(failures).toEqual([
      {
        property: "",
        reason:
          "permissions lists 1001 distinct permissions; Auth0 allows at most 1000 per user and per role. Split them across roles.",
      },
    ]);
  });
});
