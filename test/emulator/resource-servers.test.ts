import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";
import { API, wireOn } from "../helpers/tenant";
import { expectAnswerLike, useEmulator } from "./support";

const BARE = "https://bare.example.com";

describe("resource servers, as Auth0 renders them", () => {
  const env = useEmulator(() => ({
    seed: {
      resource_servers: [
        {
          identifier: API,
          name: "Example API",
          scopes: [{ value: "read:foo", description: "Can read Foo" }, "write:foo"],
        },
        { identifier: BARE },
        { identifier: "https://empty.example.com", name: "Emptied", scopes: [] },
        {
          identifier: "https://tuned.example.com",
          name: "Tuned",
          token_lifetime: 3600,
          token_lifetime_for_web: 600,
          skip_consent_for_verifiable_first_party_clients: false,
          allow_offline_access: true,
        },
      ],
      users: [{ user_id: "auth0|alice" }],
    },
  }));
  const get = async (id: string) => (await env.client.api("GET", `/resource-servers/${encodeURIComponent(id)}`)).json;

  it("an API seeded with only an identifier has no name, no scopes and no is_system member, and Auth0's defaults", async () => {
    expect(await get(BARE)).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      identifier: BARE,
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: true,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      signing_alg: "RS256",
    });
  });

  it("a scope defined without a description renders as {value} alone; an API whose scopes list is empty renders scopes: []", async () => {
    expect(await get(API)).toMatchObject({
      name: "Example API",
      scopes: [{ value: "read:foo", description: "Can read Foo" }, { value: "write:foo" }],
    });
    expect(await get("https://empty.example.com")).toMatchObject({ scopes: [] });
  });

  it("seeded token lifetimes, consent and offline access are served", async () => {
    expect(await get("https://tuned.example.com")).toMatchObject({
      token_lifetime: 3600,
      token_lifetime_for_web: 600,
      skip_consent_for_verifiable_first_party_clients: false,
      allow_offline_access: true,
    });
  });

  it("the tenant has the Auth0 Management API as a system resource server, with is_system: true", async () => {
    const identifier = `https://${env.emulator.domain}/api/v2/`;
    const management = (await get(identifier)) as Record<string, unknown>;
    expect(management).toMatchObject({ name: "Auth0 Management API", identifier, is_system: true });
    expect(management["scopes"]).toContainEqual({ value: "read:users", description: "Read Users" });
    const listed = (await env.client.api("GET", "/resource-servers")).json as Array<Record<string, unknown>>;
    expect(listed.filter((server) => "is_system" in server).map((server) => server["identifier"])).toEqual([
      identifier,
    ]);
    // It is built in, not seeded: not in the state, and seeding it is refused.
    expect(env.emulator.admin.state().resource_servers.map((server) => server.identifier)).not.toContain(identifier);
    expect(() => env.emulator.admin.seed({ resource_servers: [{ identifier }] })).toThrow(
      "built-in Auth0 Management API",
    );
  });

  it("permissions of the Auth0 Management API can be granted like any other", async () => {
    const identifier = `https://${env.emulator.domain}/api/v2/`;
    const body = { permissions: [wireOn(identifier, "read:users")] };
    expect((await env.client.api("POST", "/users/auth0%7Calice/permissions", body)).status).toBe(201);
    expect((await env.client.api("GET", "/users/auth0%7Calice/permissions")).json).toMatchObject([
      { permission_name: "read:users", description: "Read Users", resource_server_name: "Auth0 Management API" },
    ]);
    await env.client.api("DELETE", "/users/auth0%7Calice/permissions", body);
  });

  it("GET /resource-servers filters by identifiers, repeated for several", async () => {
    const result = await env.client.api(
      "GET",
      `/resource-servers?identifiers=${encodeURIComponent(API)}&identifiers=${encodeURIComponent(BARE)}`,
    );
    expect((result.json as Array<{ identifier: string }>).map((server) => server.identifier)).toEqual([API, BARE]);
    const tooMany = Array.from({ length: 11 }, (_, i) => `identifiers=i${i}`).join("&");
    expect((await env.client.api("GET", `/resource-servers?${tooMany}`)).status).toBe(400);
  });

  it("GET /resource-servers and /resource-servers/{id} accept fields and include_fields", async () => {
    const only = await env.client.api(
      "GET",
      `/resource-servers?identifiers=${encodeURIComponent(API)}&fields=identifier,name`,
    );
    expect(only.json).toEqual([{ name: "Example API", identifier: API }]);
    const without = await env.client.api(
      "GET",
      `/resource-servers/${encodeURIComponent(API)}?fields=scopes,signing_alg&include_fields=false`,
    );
    expect(Object.keys(without.json as object)).not.toContain("scopes");
    expect(Object.keys(without.json as object)).toContain("token_lifetime");
    expect((await env.client.api("GET", "/resource-servers?include_fields=maybe")).status).toBe(400);
  });

  it("GET /resource-servers/{id} resolves an identifier encoded twice (https:%252F%252F…)", async () => {
    const twice = encodeURIComponent(encodeURIComponent(API));
    expect(twice.startsWith("https%253A%252F%252F")).toBe(true);
    const result = await env.client.api("GET", `/resource-servers/${twice}`);
    expectAnswerLike(result, 200, { identifier: API });
    const colonKept = `https:${encodeURIComponent(encodeURIComponent("//api.example.com"))}`;
    expect((await env.client.api("GET", `/resource-servers/${colonKept}`)).json).toMatchObject({ identifier: API });
  });

  it("the state keeps an API without name or scopes that way, and round-trips", async () => {
    const state = env.emulator.admin.state();
    const bare = state.resource_servers.find((server) => server.identifier === BARE);
    expect(bare).not.toHaveProperty("name");
    expect(bare).not.toHaveProperty("scopes");
    env.emulator.admin.seed(state, { replace: true });
    expect(env.emulator.admin.state()).toEqual(state);
  });

  it.each([
    ["a token_lifetime of 0", { identifier: "https://x", token_lifetime: 0 }, "token_lifetime must be a whole number"],
    ["a non-boolean allow_offline_access", { identifier: "https://x", allow_offline_access: "yes" }, "true or false"],
  ])("a resource server seed with %s is rejected", async (_label, server, message) => {
    await expect(startEmulator({ http: true, seed: { resource_servers: [server as never] } })).rejects.toThrow(message);
  });
});
