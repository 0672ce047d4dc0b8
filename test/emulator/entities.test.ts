import { describe, expect, it } from "vitest";
import { API, OTHER_API, useEmulator } from "./support";

describe("users, roles and resource servers", () => {
  const env = useEmulator();

  it("GET /users/{id} answers 200 with the user, its id percent-decoded", async () => {
    const result = await env.client.api("GET", "/users/auth0%7Calice");
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      user_id: "auth0|alice",
      identities: [{ provider: "auth0", user_id: "alice", connection: "Username-Password-Authentication" }],
    });
  });

  it("GET /users/{id} of a missing user answers 404 inexistent_user", async () => {
    const result = await env.client.api("GET", "/users/auth0%7Cnobody");
    expect(result.json).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "The user does not exist.",
      errorCode: "inexistent_user",
    });
  });

  it("GET /roles/{id} answers {id, name, description}", async () => {
    const result = await env.client.api("GET", "/roles/rol_reader");
    expect(result.json).toEqual({ id: "rol_reader", name: "Reader", description: "Reads foo" });
  });

  it("GET /roles/{id} of a missing role answers 404 without an errorCode", async () => {
    const result = await env.client.api("GET", "/roles/rol_missing");
    expect(result.status).toBe(404);
    expect(result.json).toEqual({ statusCode: 404, error: "Not Found", message: "The role does not exist." });
  });

  it("GET /resource-servers lists the APIs with their scopes, paginated like the permission lists", async () => {
    const bare = await env.client.api("GET", "/resource-servers");
    expect((bare.json as Array<{ identifier: string }>).map((server) => server.identifier)).toEqual([API, OTHER_API]);
    const paged = await env.client.api("GET", "/resource-servers?include_totals=true&per_page=1&page=1");
    expect(paged.json).toMatchObject({ start: 1, limit: 1, total: 2, resource_servers: [{ identifier: OTHER_API }] });
    expect((bare.json as Array<{ scopes: unknown }>)[0]?.scopes).toEqual([
      { value: "read:foo", description: "Can read Foo" },
      { value: "create:foo", description: "Can create Foo" },
      { value: "delete:foo", description: "" },
    ]);
  });

  it("GET /resource-servers/{id} accepts the id or the percent-encoded identifier", async () => {
    const byIdentifier = await env.client.api("GET", `/resource-servers/${encodeURIComponent(API)}`);
    const id = (byIdentifier.json as { id: string }).id;
    const byId = await env.client.api("GET", `/resource-servers/${id}`);
    expect(byId.json).toEqual(byIdentifier.json);
    expect(byId.json).toMatchObject({ identifier: API, name: "Example API" });
  });

  it("GET /resource-servers/{id} of a missing API answers 404 'The resource server does not exist'", async () => {
    const result = await env.client.api("GET", "/resource-servers/nope");
    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({ message: "The resource server does not exist: 'nope'" });
  });

  it("a broken percent-encoding in a path id answers 400 invalid_uri", async () => {
    const result = await env.client.api("GET", "/users/auth0%ZZalice/permissions");
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ errorCode: "invalid_uri" });
  });
});
