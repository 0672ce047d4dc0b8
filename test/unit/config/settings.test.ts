import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { DEFAULT_DEBUG, DEFAULT_TUNING, MAX_TIMER_MS, TUNING_RANGES } from "../../../src/config/defaults";
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
      maxResponseBytes: 4_194_304,
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
      'pulumi-auth0-permissions:maxRetries must be an integer >= 0, got "-1" (range 0 to 20). Fix it with `pulumi config set pulumi-auth0-permissions:maxRetries 6` (the default).',
    );
    expect(() => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:batchSize": "5000" }), {})).toThrow(
      /batchSize must be at most 1000, got "5000" \(range 1 to 1000\)/,
    );
    expect(() => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:maxRetryDelayMs": "200" }), {})).toThrow(
      /must be an integer >= 1000, got "200" \(range 1000 to 600000\)/,
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

  it("checks every tuning value against its documented range, and every range fits a Node timer", () => {
    for (const [name, range] of Object.entries(TUNING_RANGES)) {
      const key = `pulumi-auth0-permissions:${name}`;
      expect(() => resolveSettings(config({ ...creds, [key]: String(range.max + 1) }), {})).toThrow(key);
      expect(() => resolveSettings(config({ ...creds, [key]: String(range.min - 1) }), {})).toThrow(key);
      expect(resolveSettings(config({ ...creds, [key]: String(range.max) }), {}).tuning).toMatchObject({
        [name]: range.max,
      });
      if (name.endsWith("Ms")) expect(range.max).toBeLessThan(MAX_TIMER_MS);
    }
    // The value of the issue: 2^32 ms was accepted, and Node's timers fired after 1 ms.
    expect(() =>
      resolveSettings(config({ ...creds, "pulumi-auth0-permissions:maxRetryDelayMs": "4294967296" }), {}),
    ).toThrow(/maxRetryDelayMs must be at most 600000, got "4294967296" \(range 1000 to 600000\)/);
  });

  it("reads debug as true or false, and rejects anything else naming the key", () => {
    const debug = (value: string) => resolveSettings(config({ ...creds, "pulumi-auth0-permissions:debug": value }), {});
    expect(debug("true").debug).toBe(true);
    expect(debug("No").debug).toBe(false);
    expect(() => debug("maybe")).toThrow(/pulumi-auth0-permissions:debug must be true or false, got "maybe"/);
  });

  it("rejects a credential with surrounding white space at preview, naming the key and the fix, never the value", () => {
    const secret = "abc-very-secret\n";
    const error = (() => {
      try {
        resolveSettings(config({ ...creds, "auth0:clientSecret": secret }), {});
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    expect(error.message).toMatch(/^auth0:clientSecret contains white space \(a trailing newline\)/);
    expect(error.message).toContain("pulumi config set --secret auth0:clientSecret '<value>'");
    expect(error.message).not.toContain("abc-very-secret");
    expect(() => resolveSettings(config({ ...creds, "auth0:clientId": " id" }), {})).toThrow(
      /auth0:clientId contains white space \(at the start\)/,
    );
    expect(() => resolveSettings(config({ "auth0:domain": "t.auth0.com" }), { AUTH0_API_TOKEN: "tok en" })).toThrow(
      /the environment variable AUTH0_API_TOKEN contains white space \(inside the value\).*export AUTH0_API_TOKEN=/,
    );
  });

  describe("Private Key JWT", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const jwt = { "auth0:domain": "t.eu.auth0.com", "auth0:clientId": "id", "auth0:clientAssertionPrivateKey": pem };

    it("reads auth0:clientAssertionPrivateKey and auth0:clientAssertionSigningAlg (RS256 by default), or their env fallbacks", () => {
      expect(resolveSettings(config(jwt), {}).credentials).toEqual({
        kind: "clientAssertion",
        clientId: "id",
        privateKeyPem: pem.trim(),
        signingAlg: "RS256",
        audience: "https://t.eu.auth0.com/api/v2/",
      });
      expect(
        resolveSettings(config({ "auth0:domain": "t.eu.auth0.com" }), {
          AUTH0_CLIENT_ID: "id",
          AUTH0_CLIENT_ASSERTION_PRIVATE_KEY: pem,
          AUTH0_CLIENT_ASSERTION_SIGNING_ALG: "PS256",
        }).credentials,
      ).toMatchObject({ kind: "clientAssertion", signingAlg: "PS256" });
      expect(
        resolveSettings(config({ ...jwt, "auth0:clientAssertionSigningAlg": "RS384" }), {}).credentials,
      ).toMatchObject({ signingAlg: "RS384" });
    });

    it("fails at preview on a malformed key, naming the key and never printing it", () => {
      const broken = pem.replace(/[A-Za-z]{8}\n/, "!!!!!!!!\n");
      const run = (value: string) => () =>
        resolveSettings(config({ ...jwt, "auth0:clientAssertionPrivateKey": value }), {});
      expect(run(broken)).toThrow(/^auth0:clientAssertionPrivateKey is not a readable PEM private key/);
      expect(run("not a key at all")).toThrow(/auth0:clientAssertionPrivateKey is not a readable PEM private key/);
      try {
        run(broken)();
      } catch (e) {
        for (const line of pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
          expect((e as Error).message).not.toContain(line);
      }
      const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
      expect(run(ec.toString())).toThrow(/auth0:clientAssertionPrivateKey is a ec key; RS256 needs an RSA private key/);
      const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
        type: "pkcs8",
        format: "pem",
      });
      expect(run(small.toString())).toThrow(/RSA key of 1024 bits; Auth0 requires at least 2048/);
    });

    it("rejects an unknown signing algorithm and a key next to a client secret", () => {
      expect(() => resolveSettings(config({ ...jwt, "auth0:clientAssertionSigningAlg": "HS256" }), {})).toThrow(
        /auth0:clientAssertionSigningAlg must be one of RS256, RS384, PS256, got "HS256"/,
      );
      expect(() => resolveSettings(config({ ...jwt, "auth0:clientSecret": "s" }), {})).toThrow(
        /Both auth0:clientSecret and auth0:clientAssertionPrivateKey are set/,
      );
    });
  });
});
