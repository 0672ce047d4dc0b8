import { describe, expect, it } from "vitest";
import type { SeedDocument } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";
import { expectAnswerLike, standardSeed, useEmulator } from "./support";

const manyScopes = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `scope:${String(i).padStart(4, "0")}`);

describe("assigning a permission that is already assigned", () => {
  describe("by default (duplicateAssign: noop)", () => {
    const env = useEmulator();
    it("answers 201 and changes nothing", async () => {
      const result = await env.client.api("POST", "/users/auth0%7Calice/permissions", {
        permissions: [wire("read:foo")],
      });
      expect(result.status).toBe(201);
      expect(env.emulator.admin.state().users[0]?.permissions).toEqual([wire("read:foo")]);
    });
  });

  describe("in strict mode (duplicateAssign: conflict)", () => {
    const env = useEmulator(() => ({ seed: standardSeed(), duplicateAssign: "conflict" }));
    it("answers 409 and assigns none of the request's permissions", async () => {
      const result = await env.client.api("POST", "/users/auth0%7Calice/permissions", {
        permissions: [wire("create:foo"), wire("read:foo")],
      });
      expectAnswerLike(result, 409, { statusCode: 409, error: "Conflict" });
      expect(env.emulator.admin.state().users[0]?.permissions).toEqual([wire("read:foo")]);
    });

    it("answers 409 for roles too", async () => {
      const result = await env.client.api("POST", "/roles/rol_reader/permissions", {
        permissions: [wire("read:foo")],
      });
      expect(result.status).toBe(409);
    });
  });
});

describe("assigning a permission name the API does not define", () => {
  describe("by default (unknownPermission: bad-request)", () => {
    const env = useEmulator();
    it("answers 400 naming the permission and the API", async () => {
      const result = await env.client.api("POST", "/users/auth0%7Calice/permissions", {
        permissions: [wire("fly:foo")],
      });
      expectAnswerLike(result, 400, {
        statusCode: 400,
        error: "Bad Request",
        message: `Permission 'fly:foo' does not exist on the resource server: '${API}'`,
      });
    });

    it("DELETE of an undefined permission name answers 204", async () => {
      const result = await env.client.api("DELETE", "/roles/rol_reader/permissions", {
        permissions: [wire("fly:foo")],
      });
      expect(result.status).toBe(204);
    });
  });

  describe("with unknownPermission: not-found", () => {
    const env = useEmulator(() => ({ seed: standardSeed(), unknownPermission: "not-found" }));
    it("answers 404", async () => {
      const result = await env.client.api("POST", "/roles/rol_reader/permissions", {
        permissions: [wire("fly:foo")],
      });
      expectAnswerLike(result, 404, { statusCode: 404, error: "Not Found" });
    });
  });

  describe("with unknownPermission: accept", () => {
    const env = useEmulator(() => ({ seed: standardSeed(), unknownPermission: "accept" }));
    it("stores it and lists it with an empty description", async () => {
      expect(
        (await env.client.api("POST", "/users/auth0%7Ccarol/permissions", { permissions: [wire("fly:foo")] })).status,
      ).toBe(201);
      const entries = (await env.client.api("GET", "/users/auth0%7Ccarol/permissions")).json;
      expect(entries).toEqual([expect.objectContaining({ permission_name: "fly:foo", description: "" })]);
    });
  });
});

describe("the entity cap of 1000 permissions", () => {
  const seed = (): SeedDocument => ({
    resource_servers: [{ identifier: API, scopes: manyScopes(1001) }],
    users: [{ user_id: "auth0|full" }],
    roles: [{ id: "rol_full" }],
  });
  const env = useEmulator(() => ({ seed: seed() }));
  const first1000 = manyScopes(1000).map((name) => wire(name));

  it("a user can hold 1000 direct permissions, assigned in one call, and the 1001st answers 400 'No more permissions can be assigned to this user'", async () => {
    expect((await env.client.api("POST", "/users/auth0%7Cfull/permissions", { permissions: first1000 })).status).toBe(
      201,
    );
    const result = await env.client.api("POST", "/users/auth0%7Cfull/permissions", {
      permissions: [wire("scope:1000")],
    });
    expectAnswerLike(result, 400, { statusCode: 400, message: "No more permissions can be assigned to this user" });
    expect(env.emulator.admin.state().users[0]?.permissions).toHaveLength(1000);
  });

  it("a role can hold 1000 permissions, and one more answers 400", async () => {
    const all = manyScopes(1001).map((name) => wire(name));
    const result = await env.client.api("POST", "/roles/rol_full/permissions", { permissions: all });
    expectAnswerLike(result, 400, { message: "No more permissions can be assigned to this role" });
    expect((await env.client.api("POST", "/roles/rol_full/permissions", { permissions: first1000 })).status).toBe(201);
  });

  it("re-assigning permissions a full user already has is not over the cap", async () => {
    env.emulator.admin.reset();
    await env.client.api("POST", "/users/auth0%7Cfull/permissions", { permissions: first1000 });
    const result = await env.client.api("POST", "/users/auth0%7Cfull/permissions", {
      permissions: first1000.slice(0, 10),
    });
    expect(result.status).toBe(201);
  });

  it("permissions inherited from roles do not count against a user's cap", async () => {
    env.emulator.admin.seed({
      roles: [{ id: "rol_full", permissions: first1000 }],
      users: [{ user_id: "auth0|full", roles: ["rol_full"] }],
    });
    const result = await env.client.api("POST", "/users/auth0%7Cfull/permissions", {
      permissions: first1000.slice(0, 10),
    });
    expect(result.status).toBe(201);
  });
});

describe("role-sourced entries in user permission lists", () => {
  describe("with userPermissionSources: direct-only", () => {
    const env = useEmulator(() => ({ seed: standardSeed(), userPermissionSources: "direct-only" }));
    it("lists only direct permissions", async () => {
      expect((await env.client.api("GET", "/users/auth0%7Cbob/permissions")).json).toEqual([]);
      expect((await env.client.api("GET", "/users/auth0%7Calice/permissions")).json).toHaveLength(1);
    });
  });
});

describe("a per-request limit on the permissions array", () => {
  const env = useEmulator(() => ({ seed: standardSeed(), maxPermissionsPerRequest: 2 }));
  it("with maxPermissionsPerRequest, a longer array answers 400 invalid_body", async () => {
    const result = await env.client.api("POST", "/users/auth0%7Ccarol/permissions", {
      permissions: [wire("read:foo"), wire("create:foo"), wire("delete:foo")],
    });
    expectAnswerLike(result, 400, {
      errorCode: "invalid_body",
      message: "Payload validation error: 'Array is too long (3), maximum 2' on property permissions.",
    });
  });
});
