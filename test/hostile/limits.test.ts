import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/client/clock";
import { createHttpTransport } from "../../src/client/transport";
import { resolveSettings } from "../../src/config/settings";
import { Auth0ApiError, Auth0NetworkError, ConfigurationError } from "../../src/errors";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { failureOf, hostileClient, hostileSettings, readUser, startServer, tokenThen } from "./support/servers";

/** 429s with absurd headers, timer overflow, credentials as copy-pasted, and TLS verification turned off. */
const running: { close: () => Promise<void> }[] = [];
const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(async () => {
  process.off("warning", onWarning);
  for (const server of running.splice(0)) await server.close();
});

const config = (values: Record<string, string>) => (key: string) => values[key];
const creds = { "auth0:domain": "t.eu.auth0.com", "auth0:clientId": "id", "auth0:clientSecret": "secret" };

describe("hostile servers: rate-limit headers nobody should send", () => {
  const absurd: Record<string, Record<string, string>> = {
    "a Retry-After of 3000 years": { "retry-after": "99999999999" },
    "a negative Retry-After": { "retry-after": "-5" },
    "non-numeric headers": { "retry-after": "soon", "x-ratelimit-reset": "tomorrow", "x-ratelimit-remaining": "lots" },
    "an empty bucket with a reset in the year 5138": {
      "x-ratelimit-limit": "1000000000000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "99999999999",
    },
  };
  for (const [name, headers] of Object.entries(absurd)) {
    it(`429 with ${name}: three requests end within the retry bounds, without a timer overflow`, async () => {
      let attempts = 0;
      const server = await startServer(
        tokenThen((_req, res) => {
          attempts++;
          res.writeHead(429, { "content-type": "application/json", ...headers }).end('{"statusCode":429}');
        }),
      );
      running.push(server);
      const settings = hostileSettings(server.url, {
        maxRetries: 2,
        retryBudgetMs: 3_000,
        maxRetryDelayMs: 1_000,
        // A timer value no Node timer holds, passed around the settings check: the transport clamps it too.
        requestTimeoutMs: 2 ** 32,
      });
      const { client } = hostileClient(server.url, settings);
      const started = Date.now();
      const results = await Promise.allSettled([1, 2, 3].map(() => client.request(readUser)));
      // The retry budget, plus one wait of maxRetryDelayMs in the pacer, plus slack for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3_000 + 1_000 + 3_000);
      for (const result of results) {
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(Auth0ApiError);
        expect((result as PromiseRejectedResult).reason.status).toBe(429);
      }
      expect(attempts).toBeLessThanOrEqual(9);
      expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
    }, 15_000);
  }
});

describe("hostile input: timers and credentials", () => {
  it("a tuning value above 2^31-1 ms fails when the settings are read, naming the key", () => {
    for (const key of ["maxRetryDelayMs", "retryBudgetMs", "requestTimeoutMs"]) {
      expect(() =>
        resolveSettings(config({ ...creds, [`pulumi-auth0-permissions:${key}`]: "4294967296" }), {}),
      ).toThrow(new RegExp(`pulumi-auth0-permissions:${key} must be at most \\d+, got "4294967296" \\(range`));
    }
  });

  it("a wait longer than a Node timer holds is clamped: no TimeoutOverflowWarning, no 1 ms wake-ups", async () => {
    let woke = false;
    void systemClock.sleep(2 ** 32).then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(woke).toBe(false);
    expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
  });

  it("a client secret with a trailing newline fails at preview, naming the key and the fix", () => {
    expect(() => resolveSettings(config({ ...creds, "auth0:clientSecret": "secret\n" }), {})).toThrow(
      ConfigurationError,
    );
    expect(() => resolveSettings(config({ "auth0:domain": "t.auth0.com" }), { AUTH0_API_TOKEN: "token\n" })).toThrow(
      /AUTH0_API_TOKEN contains white space \(a trailing newline\)/,
    );
  });

  it("a value Node refuses to put in a header fails with an error naming the operation, never a raw Node error", async () => {
    const server = await startServer(tokenThen((_req, res) => res.writeHead(200).end("{}")));
    running.push(server);
    const settings = {
      ...hostileSettings(server.url),
      credentials: { kind: "apiToken" as const, apiToken: "tok\nen" },
    };
    const { error } = await failureOf(hostileClient(server.url, settings).client.request(readUser));
    expect(error).toBeInstanceOf(Auth0NetworkError);
    expect(error.message).toMatch(
      /^Could not read the permissions of user 'auth0\|hostile': GET .* failed with ERR_INVALID_REQUEST/,
    );
  });
});

describe("hostile environment: NODE_TLS_REJECT_UNAUTHORIZED=0", () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    delete process.env["NODE_TLS_REJECT_UNAUTHORIZED"];
    await emulator?.stop();
  });

  it("the first request warns that the token and the secret go to an unverified server; later ones don't", async () => {
    emulator = await startEmulator();
    process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"; // the emulator's CA is not trusted here
    const lines: string[] = [];
    const transport = createHttpTransport(emulator.url, 5_000, { warn: (line) => lines.push(line) });
    const form = {
      grant_type: "client_credentials",
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      audience: `https://${emulator.domain}/api/v2/`,
    };
    expect((await transport({ method: "POST", path: "/oauth/token", form })).status).toBe(200);
    expect((await transport({ method: "POST", path: "/oauth/token", form })).status).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /NODE_TLS_REJECT_UNAUTHORIZED=0 .* not verified, so the access token and the client secret/,
    );
  });
});
