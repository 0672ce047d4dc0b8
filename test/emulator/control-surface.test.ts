import { describe, expect, it } from "vitest";
import { API, wire, wireOn } from "../helpers/tenant";
import { standardSeed, useEmulator } from "./support";

describe("control surface over HTTP (/__admin)", () => {
  const env = useEmulator();
  // Control-surface writes must be JSON (a cross-site form post cannot send that content type).
  const admin = (method: string, path: string, body?: unknown) =>
    env.client.request(method, `/__admin${path}`, {
      body,
      headers: method === "GET" ? {} : { "content-type": "application/json" },
    });

  it("GET /__admin/state returns the tenant in the seed shape, with every field filled in", async () => {
    const result = await admin("GET", "/state");
    expect(result.status).toBe(200);
    const state = result.json as ReturnType<typeof env.emulator.admin.state>;
    expect(state.resource_servers[0]).toEqual({
      identifier: API,
      name: "Example API",
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      scopes: [
        { value: "read:foo", description: "Can read Foo" },
        { value: "create:foo", description: "Can create Foo" },
        "delete:foo",
      ],
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      skip_consent_for_verifiable_first_party_clients: true,
      allow_offline_access: false,
    });
    expect(state.users.map((user) => user.user_id)).toEqual(["auth0|alice", "auth0|bob", "auth0|carol"]);
    expect(state.roles[0]).toMatchObject({
      id: "rol_reader",
      name: "Reader",
      description: "Reads foo",
      type: "tenant",
    });
    expect(state.clients.map((client) => client.client_id)).toEqual([env.emulator.clientId]);
  });

  it("POST /__admin/seed adds entities and replaces those whose key exists", async () => {
    const result = await admin("POST", "/seed", {
      users: [{ user_id: "auth0|dave", roles: ["rol_reader"] }, { user_id: "auth0|alice" }],
    });
    expect(result.status).toBe(204);
    const state = env.emulator.admin.state();
    expect(state.users.map((user) => user.user_id)).toEqual(["auth0|alice", "auth0|bob", "auth0|carol", "auth0|dave"]);
    expect(state.users[0]?.permissions).toEqual([]);
    expect(state.roles).toHaveLength(1);
  });

  it("POST /__admin/seed?replace=true makes the tenant exactly the seed plus the default client", async () => {
    await admin("POST", "/seed?replace=true", { resource_servers: [{ identifier: "https://only", scopes: ["x"] }] });
    const state = env.emulator.admin.state();
    expect(state.resource_servers.map((server) => server.identifier)).toEqual(["https://only"]);
    expect([state.users, state.roles]).toEqual([[], []]);
    expect(state.clients.map((client) => client.client_id)).toEqual([env.emulator.clientId]);
  });

  it("POST /__admin/reset returns to the state at start", async () => {
    await admin("POST", "/seed?replace=true", {});
    expect((await admin("POST", "/reset")).status).toBe(204);
    expect(env.emulator.admin.state().users).toHaveLength(3);
  });

  it("state round-trips: seeding with replace from a state gives the same state", async () => {
    const before = env.emulator.admin.state();
    env.emulator.admin.seed(before, { replace: true });
    expect(env.emulator.admin.state()).toEqual(before);
  });

  it.each([
    [{ users: [{ user_id: "auth0|x", roles: ["rol_nope"] }] }, "role 'rol_nope' does not exist"],
    [
      { users: [{ user_id: "auth0|x", permissions: [wireOn("https://nope", "read:foo")] }] },
      "resource server 'https://nope' does not exist",
    ],
    [{ roles: [{ id: "r", permissions: [wire("fly:foo")] }] }, "'fly:foo' is not a scope"],
    [{ users: [{ userId: "auth0|x" }] }, "unknown field(s) userId"],
    [{ groups: [] }, "unknown field(s) groups"],
  ])("an invalid seed %j answers 400 and changes nothing", async (seed, message) => {
    const before = env.emulator.admin.state();
    const result = await admin("POST", "/seed", seed);
    expect(result.status).toBe(400);
    expect((result.json as { message: string }).message).toContain(message);
    expect(env.emulator.admin.state()).toEqual(before);
  });

  it("GET /__admin/requests lists {method, path, query, status, at}, token requests included", async () => {
    env.emulator.admin.reset();
    env.client.forgetToken();
    await env.client.api("GET", "/users/auth0%7Calice/permissions?per_page=10&include_totals=true");
    const result = await admin("GET", "/requests");
    expect(result.json).toEqual([
      { method: "POST", path: "/oauth/token", query: {}, status: 200, at: expect.any(String) },
      {
        method: "GET",
        path: "/api/v2/users/auth0%7Calice/permissions",
        query: { per_page: "10", include_totals: "true" },
        status: 200,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it("the request log never holds a token or a secret", async () => {
    env.emulator.admin.reset();
    env.client.forgetToken();
    const token = await env.client.token();
    await env.client.request("POST", `/oauth/token?client_secret=${env.emulator.clientSecret}&access_token=${token}`);
    await env.client.request("GET", "/api/v2/roles/rol_reader", { token });
    const logged = JSON.stringify((await admin("GET", "/requests")).json);
    expect(logged).not.toContain(env.emulator.clientSecret);
    expect(logged).not.toContain(token);
    expect(logged).toContain('"client_secret":"[redacted]"');
  });

  it("DELETE /__admin/requests clears the log, and control calls are never logged", async () => {
    await env.client.api("GET", "/roles/rol_reader");
    expect((await admin("DELETE", "/requests")).status).toBe(204);
    await admin("GET", "/state");
    expect((await admin("GET", "/requests")).json).toEqual([]);
  });

  it("POST /__admin/faults adds a fault", async () => {
    expect((await admin("POST", "/faults", { match: { path: "rol_reader" }, response: { status: 502 } })).status).toBe(
      204,
    );
    expect((await env.client.api("GET", "/roles/rol_reader")).status).toBe(502);
    expect((await admin("POST", "/faults", { times: -1 })).status).toBe(400);
  });

  it("POST /__admin/rate-limit sets a profile or a custom bucket", async () => {
    expect((await admin("POST", "/rate-limit", { profile: "free" })).status).toBe(204);
    expect((await env.client.api("GET", "/roles/rol_reader")).headers["x-ratelimit-limit"]).toBe("2");
    expect((await admin("POST", "/rate-limit", { burst: 7, per_second: 3 })).status).toBe(204);
    expect((await env.client.api("GET", "/roles/rol_reader")).headers["x-ratelimit-limit"]).toBe("7");
    expect((await admin("POST", "/rate-limit", { profile: "gold" })).status).toBe(400);
    await admin("POST", "/rate-limit", { profile: "none" });
  });

  it("POST /__admin/tokens/expire expires every issued token", async () => {
    env.client.forgetToken();
    await env.client.api("GET", "/roles/rol_reader");
    expect((await admin("POST", "/tokens/expire")).status).toBe(204);
    expect((await env.client.api("GET", "/roles/rol_reader")).status).toBe(401);
    env.client.forgetToken();
  });

  it("an unknown control endpoint answers 404", async () => {
    expect((await admin("GET", "/nothing")).status).toBe(404);
  });

  it("the in-process admin offers the same calls, typed", () => {
    expect(Object.keys(env.emulator.admin).sort()).toEqual(
      [
        "addFault",
        "clearFaults",
        "clearRequests",
        "expireTokens",
        "requests",
        "reset",
        "seed",
        "setRateLimit",
        "state",
      ].sort(),
    );
    env.emulator.admin.seed(standardSeed(), { replace: true });
  });
});
