import { describe, expect, it } from "vitest";
import { startEmulator, type SeedRole } from "../../src/emulator";
import { API, wire } from "../helpers/tenant";
import {
  expectAnswer,
  expectAnswerLike,
  INEXISTENT_ROLE,
  INEXISTENT_USER,
  OTHER_API,
  standardSeed,
  useEmulator,
} from "./support";

describe("users, roles and resource servers", () => {
  const env = useEmulator();

  it("GET /users/{id} answers 200 with the user, its id percent-decoded", async () => {
    const result = await env.client.api("GET", "/users/auth0%7Calice");
    expectAnswerLike(result, 200, {
      user_id: "auth0|alice",
      identities: [{ provider: "auth0", user_id: "alice", connection: "Username-Password-Authentication" }],
    });
  });

  it("GET /users/{id} of a missing user answers 404 inexistent_user", async () => {
    const result = await env.client.api("GET", "/users/auth0%7Cnobody");
    expectAnswer(result, 404, INEXISTENT_USER);
  });

  it("GET /roles/{id} answers {id, name, description, type: tenant}", async () => {
    const result = await env.client.api("GET", "/roles/rol_reader");
    expect(result.json).toEqual({ id: "rol_reader", name: "Reader", description: "Reads foo", type: "tenant" });
  });

  it("GET /roles/{id} of a missing role answers 404 without an errorCode", async () => {
    const result = await env.client.api("GET", "/roles/rol_missing");
    expectAnswer(result, 404, INEXISTENT_ROLE);
  });

  it("GET /resource-servers lists the APIs with their scopes, paginated like the permission lists", async () => {
    const bare = await env.client.api("GET", "/resource-servers");
    const management = `https://${env.emulator.domain}/api/v2/`;
    expect((bare.json as Array<{ identifier: string }>).map((server) => server.identifier)).toEqual([
      management,
      API,
      OTHER_API,
    ]);
    const paged = await env.client.api("GET", "/resource-servers?include_totals=true&per_page=1&page=2");
    expect(paged.json).toMatchObject({ start: 2, limit: 1, total: 3, resource_servers: [{ identifier: OTHER_API }] });
    expect((bare.json as Array<{ scopes: unknown }>)[1]?.scopes).toEqual([
      { value: "read:foo", description: "Can read Foo" },
      { value: "create:foo", description: "Can create Foo" },
      { value: "delete:foo" },
    ]);
  });

  it("GET /resource-servers/{id} accepts the id or the percent-encoded identifier", async () => {
    const byIdentifier = await env.client.api("GET", `/resource-servers/${encodeURIComponent(API)}`);
    const id = (byIdentifier.json as { id: string }).id;
    const byId = await env.client.api("GET", `/resource-servers/${id}`);
    expect(byId.json).toEqual(byIdentifier.json);
    expect(byId.json).toMatchObject({ identifier: API, name: "Example API" });
  });

  it("GET /resource-servers/{id} of a missing API answers 404 'The resource server does not exist', errorCode inexistent_resource_server, no id suffix", async () => {
    const result = await env.client.api("GET", "/resource-servers/nope");
    expectAnswer(result, 404, {
      statusCode: 404,
      error: "Not Found",
      message: "The resource server does not exist",
      errorCode: "inexistent_resource_server",
    });
  });

  it("a broken percent-encoding in a path id answers 400 invalid_uri", async () => {
    const result = await env.client.api("GET", "/users/auth0%ZZalice/permissions");
    expectAnswerLike(result, 400, { errorCode: "invalid_uri" });
  });
});

describe("organization roles", () => {
  const env = useEmulator(() => ({
    seed: {
      ...standardSeed(),
      roles: [
        ...(standardSeed().roles ?? []),
        { id: "rol_org", name: "Org admin", type: "organization", owner_id: "org_acme" },
      ],
      users: [{ user_id: "auth0|olga", roles: ["rol_org"] }],
    },
  }));

  it("GET /roles/{id} of an organization role answers type organization with its owner_id", async () => {
    const result = await env.client.api("GET", "/roles/rol_org");
    expect(result.json).toEqual({
      id: "rol_org",
      name: "Org admin",
      description: "",
      type: "organization",
      owner_id: "org_acme",
    });
  });

  it("the permission endpoints work the same on an organization role, and its members list ROLE sources", async () => {
    expect(
      (await env.client.api("POST", "/roles/rol_org/permissions", { permissions: [wire("read:foo")] })).status,
    ).toBe(201);
    const listed = await env.client.api("GET", "/roles/rol_org/permissions?include_totals=true");
    expect(listed.json).toEqual({
      permissions: [
        {
          permission_name: "read:foo",
          description: "Can read Foo",
          resource_server_name: "Example API",
          resource_server_identifier: API,
        },
      ],
      start: 0,
      limit: 50,
      total: 1,
    });
    const member = await env.client.api("GET", "/users/auth0%7Colga/permissions");
    expect(member.json).toMatchObject([
      {
        permission_name: "read:foo",
        sources: [{ source_id: "rol_org", source_name: "Org admin", source_type: "ROLE" }],
      },
    ]);
    expect(
      (await env.client.api("DELETE", "/roles/rol_org/permissions", { permissions: [wire("read:foo")] })).status,
    ).toBe(204);
    expect((await env.client.api("GET", "/roles/rol_org/permissions")).json).toEqual([]);
  });

  it.each([
    ["an organization role without owner_id", { id: "r", type: "organization" }, "needs owner_id"],
    ["an owner_id that is not an org_ id", { id: "r", type: "organization", owner_id: "acme" }, "needs owner_id"],
    ["owner_id on a tenant role", { id: "r", owner_id: "org_acme" }, "only for roles of type"],
    ["an unknown type", { id: "r", type: "group" }, 'type must be "tenant" or "organization"'],
  ])("a role seed with %s is rejected", async (_label, role, message) => {
    await expect(startEmulator({ http: true, seed: { roles: [role as SeedRole] } })).rejects.toThrow(message);
  });
});
