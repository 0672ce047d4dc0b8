import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DEBUG, DEFAULT_TUNING } from "../../../src/config/defaults";
import { normalizeDomain } from "../../../src/config/domain";
import { resolveSettings } from "../../../src/config/settings";

const config = (values: Record<string, string>) => (key: string) => values[key];
const creds = { "auth0:domain": "t.eu.auth0.com", "auth0:clientId": "id", "auth0:clientSecret": "secret" };

describe("settings", () => {
  it("applies the documented defaults when nothing is tuned", () => {
    expect(resolveSettings(config(creds), {}).tuning).toEqual({
      requestsPerSecond: 0,
      maxConcurrentRequests: 8,
      maxRetries: 6,
      retryBudgetMs: 300_000,
      maxRetryDelayMs: 30_000,
      requestTimeoutMs: 30_000,
      batchSize: 100,
    });
    expect(resolveSettings(config(creds), {}).tuning).toEqual(DEFAULT_TUNING);
  });

  it("matches the README's configuration table, default for default", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\| `pulumi-auth0-permissions:(\w+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]),
    );
    expect(documented).toEqual({
      ...Object.fromEntries(Object.entries(DEFAULT_TUNING).map(([k, v]) => [k, String(v)])),
      debug: String(DEFAULT_DEBUG),
    });
  });

  it("reads tuning from the package's own config namespace", () => {
    const tuned = resolveSettings(
      config({
        ...creds,
        "pulumi-auth0-permissions:batchSize": "25",
        "pulumi-auth0-permissions:requestsPerSecond": "1.5",
      }),
      {},
    );
    expect(tuned.tuning).toMatchObject({ batchSize: 25, requestsPerSecond: 1.5 });
  });

  it("rejects a bad tuning value naming the key and the fix", () => {
    expect(() => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:maxRetries": "-1" }), {})).toThrow(
      'pulumi-auth0-permissions:maxRetries must be an integer >= 0, got "-1". Fix it with `pulumi config set pulumi-auth0-permissions:maxRetries 6` (the default).',
    );
    expect(() => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:batchSize": "5000" }), {})).toThrow(
      /at most 1000/,
    );
    expect(() => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:maxRetryDelayMs": "200" }), {})).toThrow(
      /must be an integer >= 1000/,
    );
  });

  it("prefers stack config over the environment, and falls back to the environment", () => {
    const fromEnv = resolveSettings(config({}), {
      AUTH0_DOMAIN: "env.auth0.com",
      AUTH0_CLIENT_ID: "eid",
      AUTH0_CLIENT_SECRET: "es",
    });
    expect(fromEnv).toMatchObject({
      domain: "env.auth0.com",
      credentials: { clientId: "eid", audience: "https://env.auth0.com/api/v2/" },
    });
    const both = resolveSettings(config(creds), { AUTH0_DOMAIN: "env.auth0.com" });
    expect(both.domain).toBe("t.eu.auth0.com");
  });

  it("uses auth0:audience when set, and an apiToken when there are no client credentials", () => {
    expect(
      resolveSettings(config({ ...creds, "auth0:audience": "https://custom/api/v2/" }), {}).credentials,
    ).toMatchObject({ audience: "https://custom/api/v2/" });
    expect(resolveSettings(config({ "auth0:domain": "t.auth0.com", "auth0:apiToken": "tok" }), {}).credentials).toEqual(
      { kind: "apiToken", apiToken: "tok" },
    );
  });

  it("names the missing key when the domain or the credentials are missing", () => {
    expect(() => resolveSettings(config({}), {})).toThrow(/auth0:domain is not set.*pulumi config set auth0:domain/);
    expect(() => resolveSettings(config({ "auth0:domain": "t.auth0.com", "auth0:clientId": "id" }), {})).toThrow(
      /auth0:clientSecret is not set/,
    );
  });

  it("normalizes the domain once: scheme, trailing slash and case", () => {
    expect(normalizeDomain("https://Tenant.EU.auth0.com/")).toBe("tenant.eu.auth0.com");
    expect(normalizeDomain("localhost:8443")).toBe("localhost:8443");
    expect(() => normalizeDomain("http://insecure.example")).toThrow(/auth0:domain must be a host name/);
    expect(() => normalizeDomain("tenant.auth0.com/api")).toThrow(/auth0:domain/);
  });
});
