import nock from "nock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { systemClock, type Clock } from "../../../src/client/clock";
import { DEFAULT_TUNING } from "../../../src/config/defaults";
import type { Settings } from "../../../src/config/settings";
import { Auth0ApiError, Auth0NetworkError, Auth0TokenError } from "../../../src/errors";
import { ManagementClient } from "../../../src/client/management-client";
import { createHttpTransport, type HttpResponse, type Transport } from "../../../src/client/transport";
import { TestClock } from "../../helpers/clock.mjs";
import { startFlakyServer } from "../../helpers/flaky-server";
import { ACCESS_TOKEN, BASE, CLIENT_SECRET, settings, testClient, tokenEndpoint } from "../../helpers/nock";

function flakyClient(url: string, maxRetries = 6) {
  const base = settings({ maxRetries });
  const client = new ManagementClient(base, {
    transport: createHttpTransport(url, 5_000),
    clock: TestClock.instant(),
    random: () => 0.5,
    log: () => {},
  });
  return { client };
}

/** A client on an in-process transport, with a static token (no token request). */
function clientOn<C extends Clock>(transport: Transport, tuning: Partial<Settings["tuning"]>, clock: C) {
  const client = new ManagementClient(
    {
      domain: "tenant.test.auth0.com",
      credentials: { kind: "apiToken", apiToken: "static-api-token" },
      tuning: { ...DEFAULT_TUNING, ...tuning },
      debug: false,
    },
    { transport, clock, random: () => 0.5, log: () => {} },
  );
  return { client, clock };
}

const context = { action: "list the permissions of", target: "user 'auth0|abc'" };
const path = "/api/v2/users/auth0%7Cabc/permissions";
const get = (client: ReturnType<typeof testClient>["client"]) => client.request({ method: "GET", path, context });

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterEach(() => {
  nock.cleanAll();
});

describe("the management client", () => {
  it("gives the pacer's slot back when an attempt fails with something other than an answer", async () => {
    // One slot: had the first request kept it, the second would wait forever.
    let calls = 0;
    const transport: Transport = async () => {
      calls++;
      if (calls === 1) throw new RangeError("the request could not be built");
      return { status: 200, headers: {}, data: [] } as HttpResponse;
    };
    const { client } = clientOn(transport, { maxConcurrentRequests: 1 }, TestClock.instant());
    await expect(client.request({ method: "GET", path, context })).rejects.toThrow("could not be built");
    await expect(client.request({ method: "GET", path, context })).resolves.toMatchObject({ status: 200 });
    expect(calls).toBe(2);
  });

  it("sends the bearer token and asks for one token for many requests", async () => {
    const { client } = testClient();
    const token = tokenEndpoint(1);
    const api = nock(BASE, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}` } })
      .get(path)
      .times(5)
      .reply(200, []);
    await Promise.all(Array.from({ length: 5 }, () => get(client)));
    expect(token.isDone() && api.isDone()).toBe(true);
  });

  it("sends the client-credentials grant form-encoded with the default audience", async () => {
    const { client } = testClient();
    let body = "";
    nock(BASE)
      .post("/oauth/token", (raw) => {
        body = new URLSearchParams(raw as Record<string, string>).toString();
        return true;
      })
      .reply(200, { access_token: ACCESS_TOKEN, expires_in: 86400 });
    nock(BASE).get(path).reply(200, []);
    await get(client);
    const form = new URLSearchParams(body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: "client_credentials",
      client_id: "client-abc",
      client_secret: CLIENT_SECRET,
      audience: `${BASE}/api/v2/`,
    });
  });

  it.each([
    ["Retry-After", { "retry-after": "2" }, 2_000],
    ["x-ratelimit-reset only", { "x-ratelimit-reset": "RESET+3" }, 3_000],
    ["a reset equal to now", { "x-ratelimit-reset": "RESET+0" }, 1_000],
    ["no header", {}, 2_000],
  ])("retries a 429 with %s after the wait the headers ask for", async (_name, headers, baseDelay) => {
    const { client, clock, logs } = testClient();
    tokenEndpoint();
    const resolved = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [
        k,
        v.startsWith("RESET+") ? String(clock.now() / 1000 + Number(v.slice(6))) : v,
      ]),
    );
    nock(BASE).get(path).reply(429, { statusCode: 429, error: "Too Many Requests" }, resolved).get(path).reply(200, []);
    await get(client);
    expect(clock.sleeps[0]).toBe(baseDelay * 1.125); // random() = 0.5 → 12.5% jitter
    expect(logs.join("\n")).toMatch(/HTTP 429; retry 1\/6/);
  });

  it.each([500, 502, 503])("retries HTTP %i with exponential backoff", async (status) => {
    const { client, clock } = testClient();
    tokenEndpoint();
    nock(BASE).get(path).times(2).reply(status, {}).get(path).reply(200, []);
    await get(client);
    expect(clock.sleeps).toEqual([375, 750]);
  });

  it("retries a connection reset", async () => {
    const server = await startFlakyServer(1);
    try {
      const { client } = flakyClient(server.url);
      await expect(get(client)).resolves.toMatchObject({ status: 200 });
      expect(server.apiRequests()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("gets a new token once after a 401, then succeeds", async () => {
    const { client } = testClient();
    const token = tokenEndpoint(2);
    nock(BASE).get(path).reply(401, {
      statusCode: 401,
      error: "Unauthorized",
      message: "Expired token received for JSON Web Token validation",
    });
    nock(BASE, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}-2` } })
      .get(path)
      .reply(200, []);
    await get(client);
    expect(token.isDone()).toBe(true);
  });

  it("fails after a second 401 with a hint, without a third token request", async () => {
    const { client } = testClient();
    tokenEndpoint(2);
    nock(BASE).get(path).times(2).reply(401, { statusCode: 401, error: "Unauthorized", message: "Invalid token" });
    await expect(get(client)).rejects.toThrow(/Auth0 answered 401: "Invalid token".*check auth0:audience/);
  });

  it("names the operation, the user, the status, Auth0's message and errorCode when retries are exhausted", async () => {
    const { client } = testClient({ maxRetries: 2 });
    tokenEndpoint();
    nock(BASE).get(path).times(3).reply(503, {
      statusCode: 503,
      error: "Service Unavailable",
      message: "Try later",
      errorCode: "temporarily_unavailable",
    });
    const error = await get(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Auth0ApiError);
    expect((error as Error).message).toBe(
      `Could not list the permissions of user 'auth0|abc': Auth0 answered 503: "Try later" (errorCode temporarily_unavailable) ` +
        `to GET ${path} after 3 attempts.`,
    );
  });

  it("explains a 403 insufficient_scope with the scopes to grant", async () => {
    const { client } = testClient();
    tokenEndpoint();
    nock(BASE).get(path).reply(403, {
      statusCode: 403,
      error: "Forbidden",
      message: "Insufficient scope, expected any of: read:users",
      errorCode: "insufficient_scope",
    });
    await expect(get(client)).rejects.toThrow(
      /errorCode insufficient_scope.*Grant the application the Management API scopes read:users/,
    );
  });

  it("reports a network failure that outlasts the retries as Auth0NetworkError", async () => {
    const server = await startFlakyServer(10);
    try {
      const { client } = flakyClient(server.url, 1);
      const error = (await get(client).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Auth0NetworkError);
      expect(error.message).toMatch(
        /^Could not list the permissions of user 'auth0\|abc': GET .* failed with ECONNRESET after 2 attempts/,
      );
    } finally {
      await server.close();
    }
  });

  it("reports refused credentials as Auth0TokenError without the secret", async () => {
    const { client } = testClient();
    nock(BASE)
      .post("/oauth/token")
      .reply(401, { error: "access_denied", error_description: `Unauthorized ${CLIENT_SECRET}` });
    const error = (await get(client).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Auth0TokenError);
    expect(error.message).toMatch(/token endpoint answered 401 \(access_denied: Unauthorized \[REDACTED\]\)/);
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it("never puts the client secret or the access token in errors or logs", async () => {
    const { client, logs } = testClient({ maxRetries: 1 });
    tokenEndpoint();
    nock(BASE)
      .get(path)
      .reply(500, { message: `boom Bearer ${ACCESS_TOKEN}` })
      .get(path)
      .reply(400, { statusCode: 400, message: `echo ${ACCESS_TOKEN} ${CLIENT_SECRET}` });
    const error = (await get(client).catch((e: unknown) => e)) as Error;
    const everything = [error.message, String(error.cause ?? ""), ...logs].join("\n");
    expect(everything).toContain("[REDACTED]");
    expect(everything).not.toContain(ACCESS_TOKEN);
    expect(everything).not.toContain(CLIENT_SECRET);
  });

  it("uses a static apiToken without any token request", async () => {
    const { client } = testClient(
      {},
      {
        domain: "tenant.test.auth0.com",
        credentials: { kind: "apiToken", apiToken: "static-api-token" },
        tuning: DEFAULT_TUNING,
        debug: false,
      },
    );
    nock(BASE, { reqheaders: { authorization: "Bearer static-api-token" } })
      .get(path)
      .reply(200, []);
    await expect(get(client)).resolves.toMatchObject({ status: 200 });
  });

  it("counts the pacer's waits in the retry budget: a reset beyond it fails at once, before sending", async () => {
    let sent = 0;
    const clock = new TestClock();
    const transport: Transport = async () => {
      sent++;
      const reset = String(Math.floor(clock.now() / 1000) + 20);
      return { status: 200, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, data: [] };
    };
    const { client } = clientOn(transport, { retryBudgetMs: 10_000 }, clock);
    await get(client);
    const start = clock.now();
    const error = (await get(client).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `Could not list the permissions of user 'auth0|abc': GET ${path} did not finish within the retry budget of ` +
        "10000 ms (the tenant's rate limit held it back). Nothing was sent; running `pulumi up` again is safe. " +
        "To give requests more time, raise pulumi-auth0-permissions:retryBudgetMs, or pass a lower --parallel so " +
        "fewer of them queue at once.",
    );
    expect(sent).toBe(1);
    expect(clock.now()).toBe(start);
  });

  it("gives up on an attempt still unanswered when the retry budget ends, before the attempt's own timeout", async () => {
    const { client, clock } = clientOn(
      () => new Promise<HttpResponse>(() => {}),
      { retryBudgetMs: 5_000, requestTimeoutMs: 30_000 },
      new TestClock(),
    );
    const start = clock.now();
    const failed = expect(get(client)).rejects.toThrow(
      /did not finish within the retry budget of 5000 ms \(the last attempt was still waiting for an answer, after 1 attempt\)/,
    );
    await clock.advance(4_999);
    expect(clock.pending()).toBe(1);
    await clock.advance(1);
    await failed;
    expect(clock.now() - start).toBe(5_000);
  });

  describe("with Node's own timers", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("waits out a 429 far ahead with one timer, not one that overflows and wakes every millisecond", async () => {
      vi.useFakeTimers();
      const timers = vi.spyOn(globalThis, "setTimeout");
      let sent = 0;
      const transport: Transport = async () => {
        sent++;
        return { status: 429, headers: { "retry-after": "100000000" }, data: {} }; // 3 years, within the budget below
      };
      const huge = 2 ** 40;
      const { client } = clientOn(transport, { maxRetryDelayMs: huge, retryBudgetMs: huge }, systemClock);
      void get(client).catch(() => {});
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sent).toBe(1);
      expect(timers.mock.calls.length).toBeLessThanOrEqual(2);
      expect(Math.max(...timers.mock.calls.map((call) => call[1] ?? 0))).toBeLessThan(2 ** 31 - 1);
    });
  });
});
