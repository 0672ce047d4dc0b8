import { describe, expect, it } from "vitest";
import { TestClock } from "../helpers/clock.mjs";
import { expectAnswer, expectAnswerLike, standardSeed, useEmulator } from "./support";

/** The scopes a token carries, from its payload (the emulator's tokens are JWT-shaped). */
function tokenScope(body: unknown): string {
  const token = (body as { access_token: string }).access_token;
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { scope: string };
  return payload.scope;
}

describe("POST /oauth/token", () => {
  const clock = new TestClock();
  const env = useEmulator(() => ({
    seed: {
      ...standardSeed(),
      clients: [{ client_id: "reader", client_secret: "reader-secret", scopes: ["read:users"] }],
    },
    now: clock.now,
    tokenTtlSeconds: 3600,
  }));
  const audience = () => `https://${env.emulator.domain}/api/v2/`;
  const credentials = () => ({
    grant_type: "client_credentials",
    client_id: env.emulator.clientId,
    client_secret: env.emulator.clientSecret,
    audience: audience(),
  });

  it("a form-encoded client_credentials request gets {access_token, expires_in, token_type: Bearer}, no scope member, as application/json without a charset", async () => {
    const result = await env.client.request("POST", "/oauth/token", { form: credentials() });
    expect(result.status).toBe(200);
    expect(result.headers["content-type"]).toBe("application/json");
    expect(result.json).toEqual({
      access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      expires_in: 3600,
      token_type: "Bearer",
    });
    expect(tokenScope(result.json)).toBe("read:users update:users read:roles update:roles read:resource_servers");
  });

  it("extra parameters (organization, unknown ones) are accepted", async () => {
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), organization: "org_abc123", custom_thing: "x" },
    });
    expect(result.status).toBe(200);
    const json = await env.client.request("POST", "/oauth/token", {
      body: { ...credentials(), organization: "org_abc123", nested: { any: 1 } },
    });
    expect(json.status).toBe(200);
  });

  it("a JSON body is accepted too", async () => {
    const result = await env.client.request("POST", "/oauth/token", { body: credentials() });
    expect(result.status).toBe(200);
  });

  it("HTTP Basic client authentication is accepted", async () => {
    const { client_id, client_secret, ...rest } = credentials();
    const basic = Buffer.from(`${client_id}:${client_secret}`).toString("base64");
    const result = await env.client.request("POST", "/oauth/token", {
      form: rest,
      headers: { authorization: `Basic ${basic}` },
    });
    expect(result.status).toBe(200);
  });

  it("the token carries the client's own scopes", async () => {
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), client_id: "reader", client_secret: "reader-secret" },
    });
    expect(tokenScope(result.json)).toBe("read:users");
  });

  it("a scope parameter narrows the token to the granted scopes it names", async () => {
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), scope: "read:users delete:users" },
    });
    expect(tokenScope(result.json)).toBe("read:users");
  });

  it("a wrong client secret answers 401 access_denied", async () => {
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), client_secret: "wrong" },
    });
    expectAnswer(result, 401, { error: "access_denied", error_description: "Unauthorized" });
    expect(result.headers["content-type"]).toBe("application/json");
  });

  it("an unknown client id answers 401 access_denied", async () => {
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), client_id: "nobody" },
    });
    expectAnswerLike(result, 401, { error: "access_denied" });
  });

  it("an audience other than https://{domain}/api/v2/ answers 403 access_denied 'Service not found'", async () => {
    const withoutSlash = audience().replace(/\/$/, "");
    const result = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), audience: withoutSlash },
    });
    expectAnswer(result, 403, { error: "access_denied", error_description: `Service not found: ${withoutSlash}` });
  });

  it("a missing audience answers 403 access_denied", async () => {
    const { audience: _omitted, ...rest } = credentials();
    const result = await env.client.request("POST", "/oauth/token", { form: rest });
    expectAnswerLike(result, 403, { error: "access_denied" });
  });

  it("another grant type answers 400 unsupported_grant_type, and a missing one 400 invalid_request", async () => {
    const other = await env.client.request("POST", "/oauth/token", {
      form: { ...credentials(), grant_type: "password" },
    });
    const { grant_type: _omitted, ...rest } = credentials();
    const missing = await env.client.request("POST", "/oauth/token", { form: rest });
    expect([other.status, (other.json as { error: string }).error]).toEqual([400, "unsupported_grant_type"]);
    expect([missing.status, (missing.json as { error: string }).error]).toEqual([400, "invalid_request"]);
  });

  it("a token stops working once expires_in has passed on the emulator's clock", async () => {
    const token = await env.client.token();
    expect((await env.client.request("GET", "/api/v2/roles/rol_reader", { token })).status).toBe(200);
    clock.current += 3600 * 1000;
    const result = await env.client.request("GET", "/api/v2/roles/rol_reader", { token });
    expectAnswerLike(result, 401, { message: "Expired token received for JSON Web Token validation" });
  });

  it("request log times come from the emulator's clock", async () => {
    env.emulator.admin.clearRequests();
    await env.client.token();
    expect(env.emulator.admin.requests()[0]?.at).toBe(new Date(clock.current).toISOString());
  });
});

describe("POST /oauth/token with default options", () => {
  const env = useEmulator(() => ({ http: true }));
  it("expires_in defaults to 86400 seconds", async () => {
    const result = await env.client.tokenRequest();
    expect(result.json).toMatchObject({ expires_in: 86400, token_type: "Bearer" });
  });
});

describe("POST /oauth/token with tokenScopeMember", () => {
  const env = useEmulator(() => ({ http: true, tokenScopeMember: true }));
  it("tokenScopeMember adds a scope member listing the token's scopes", async () => {
    const result = await env.client.tokenRequest();
    expect(result.json).toMatchObject({
      scope: "read:users update:users read:roles update:roles read:resource_servers",
      token_type: "Bearer",
    });
  });
});
