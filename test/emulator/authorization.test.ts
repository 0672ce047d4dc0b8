import { describe, expect, it } from "vitest";
import type { SeedClient } from "../../src/emulator";
import { wire } from "../helpers/tenant";
import { expectAnswer, expectAnswerLike, standardSeed, useEmulator } from "./support";

const SCOPES = ["read:users", "update:users", "read:roles", "update:roles"];
/** A client with every scope the permission endpoints need but one: `all-but-read-users` lacks read:users. */
const allBut = (scope: string, secret: string): SeedClient => ({
  client_id: `all-but-${scope.replace(":", "-")}`,
  client_secret: secret,
  scopes: SCOPES.filter((s) => s !== scope),
});
const clients: SeedClient[] = [
  { client_id: "no-scopes", client_secret: "secret-0", scopes: [] },
  allBut("read:users", "secret-1"),
  allBut("update:users", "secret-2"),
  allBut("read:roles", "secret-3"),
  allBut("update:roles", "secret-4"),
];

describe("authentication and scopes", () => {
  const env = useEmulator(() => ({ seed: { ...standardSeed(), clients } }));
  const body = { permissions: [wire("read:foo")] };

  it("a request without a token answers 401", async () => {
    const result = await env.client.request("GET", "/api/v2/users/auth0%7Calice/permissions");
    expectAnswerLike(result, 401, { statusCode: 401, error: "Unauthorized", message: "Missing authentication" });
  });

  it.each([
    ["a malformed token", "Bearer not-a-jwt"],
    ["a token the emulator never issued", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
    ["a non-Bearer scheme", "Basic dXNlcjpwYXNz"],
  ])("%s answers 401 'Invalid token'", async (_case, authorization) => {
    const result = await env.client.request("GET", "/api/v2/users/auth0%7Calice/permissions", {
      headers: { authorization },
    });
    expectAnswer(result, 401, {
      statusCode: 401,
      error: "Unauthorized",
      message: "Invalid token",
      attributes: { error: "Invalid token" },
    });
  });

  it("admin.expireTokens makes every issued token answer 401 'Expired token', and a new token works", async () => {
    const token = await env.client.token();
    env.emulator.admin.expireTokens();
    const expired = await env.client.request("GET", "/api/v2/roles/rol_reader", { token });
    expectAnswerLike(expired, 401, { message: "Expired token received for JSON Web Token validation" });
    const fresh = await env.client.request("GET", "/api/v2/roles/rol_reader", { token: await env.client.token() });
    expect(fresh.status).toBe(200);
  });

  it.each([
    ["all-but-read-users", "GET", "/users/auth0%7Calice/permissions", "read:users"],
    ["all-but-update-users", "POST", "/users/auth0%7Calice/permissions", "update:users"],
    ["all-but-update-users", "DELETE", "/users/auth0%7Calice/permissions", "update:users"],
    ["all-but-read-roles", "GET", "/roles/rol_reader/permissions", "read:roles"],
    ["all-but-update-roles", "POST", "/roles/rol_reader/permissions", "update:roles"],
    ["all-but-update-roles", "DELETE", "/roles/rol_reader/permissions", "update:roles"],
    ["no-scopes", "GET", "/roles/rol_reader", "read:roles"],
    ["no-scopes", "GET", "/resource-servers", "read:resource_servers"],
  ])("a token of %s gets 403 insufficient_scope on %s %s", async (clientId, method, path, scope) => {
    const secret = clients.find((client) => client.client_id === clientId)?.client_secret ?? "";
    const token = await env.client.token(clientId, secret);
    const result = await env.client.request(method, `/api/v2${path}`, {
      token,
      body: method === "GET" ? undefined : body,
    });
    expectAnswer(result, 403, {
      statusCode: 403,
      error: "Forbidden",
      message: expect.stringContaining(scope),
      errorCode: "insufficient_scope",
    });
  });

  it("scope is checked before the body, so a bad body without the scope answers 403", async () => {
    const token = await env.client.token("no-scopes", "secret-0");
    const result = await env.client.request("POST", "/api/v2/users/auth0%7Calice/permissions", { token, body: {} });
    expect(result.status).toBe(403);
  });

  it("an unknown path under /api/v2 answers 404 before any token check", async () => {
    const result = await env.client.request("GET", "/api/v2/clients");
    expectAnswer(result, 404, { statusCode: 404, error: "Not Found", message: "Not Found" });
  });

  it("a method the endpoint does not have answers 404", async () => {
    const result = await env.client.api("PUT", "/users/auth0%7Calice/permissions", { permissions: [] });
    expect(result.status).toBe(404);
  });
});
