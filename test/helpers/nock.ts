import nock from "nock";
import { afterEach, beforeAll, beforeEach, expect } from "vitest";
import type { Handlers } from "../../src/provider";
import { rolePermissionRemovalHandlers } from "../../src/provider/role-permission-removal";
import { createRuntime } from "../../src/provider/runtime";
import { userPermissionsHandlers } from "../../src/provider/user-permissions";
import { tuningConfig } from "./config";
import { forwardHandlers } from "./handlers";
import type { Settings } from "../../src/config/settings";
import { DEFAULT_TUNING } from "../../src/config/defaults";
import { ManagementClient } from "../../src/client/management-client";
import { PermissionsApi } from "../../src/client/permissions-api";
import { createHttpTransport } from "../../src/client/transport";
import { TestClock } from "./clock.mjs";

export const DOMAIN = "tenant.test.auth0.com";
export const BASE = `https://${DOMAIN}`;
export const CLIENT_SECRET = "s3cr3t-client-secret-value";
export const ACCESS_TOKEN = "eyJ-access-token-value-1";

export function settings(overrides: Partial<Settings["tuning"]> = {}): Settings {
  return {
    domain: DOMAIN,
    credentials: {
      kind: "clientCredentials",
      clientId: "client-abc",
      clientSecret: CLIENT_SECRET,
      audience: `${BASE}/api/v2/`,
    },
    tuning: { ...DEFAULT_TUNING, ...overrides },
    debug: false,
  };
}

/** A client wired to nock, with a fake clock and a log that tests can read. */
export function testClient(overrides: Partial<Settings["tuning"]> = {}, base: Settings = settings(overrides)) {
  const clock = TestClock.instant();
  const logs: string[] = [];
  const client = new ManagementClient(base, {
    transport: createHttpTransport(BASE, base.tuning.requestTimeoutMs),
    clock,
    random: () => 0.5,
    log: (line) => logs.push(line),
  });
  return { client, api: new PermissionsApi(client, base.tuning.batchSize), clock, logs };
}

/** Expects exactly `times` token requests and answers each with a fresh token. */
export function tokenEndpoint(times = 1, expiresIn = 86_400) {
  let issued = 0;
  return nock(BASE)
    .post(
      "/oauth/token",
      (body: Record<string, string>) =>
        body["grant_type"] === "client_credentials" && body["client_secret"] === CLIENT_SECRET,
    )
    .times(times)
    .reply(200, () => ({
      access_token: issued++ === 0 ? ACCESS_TOKEN : `${ACCESS_TOKEN}-${issued}`,
      expires_in: expiresIn,
      token_type: "Bearer",
    }));
}

/** One entry of a user's permission list as the Management API answers it, with its `sources`. */
export function listedPermission(rs: string, name: string, sourceType = "DIRECT") {
  return {
    resource_server_identifier: rs,
    permission_name: name,
    description: `Can ${name}`,
    resource_server_name: "API",
    sources: [
      {
        source_id: sourceType === "DIRECT" ? "" : "rol_1",
        source_name: sourceType === "DIRECT" ? "" : "Role",
        source_type: sourceType,
      },
    ],
  };
}

/** A page of a permission list as the Management API answers it; `direct` entries carry a DIRECT source. */
export function permissionPage(names: string[], direct = true, rs = "https://api.example.com") {
  return {
    permissions: names.map((permission_name) => ({
      resource_server_identifier: rs,
      permission_name,
      ...(direct ? { sources: [{ source_type: "DIRECT", source_id: "", source_name: "" }] } : {}),
    })),
    start: 0,
    limit: 100,
    total: names.length,
  };
}

/**
 * For every test of the file: the handlers of both kinds on a runtime of their own, configured for
 * `domain` with retries off (tests may change `config` before a call), and its token endpoint
 * answered by nock. With `strict`, a request no interceptor expects, or an interceptor left unused,
 * fails the test.
 */
export function useNockedHandlers(
  domain: string,
  options: { strict?: boolean } = {},
): { readonly config: Record<string, string>; readonly users: Handlers; readonly roles: Handlers } {
  const config: Record<string, string> = {};
  const unexpected: string[] = [];
  let handlers: { users: Handlers; roles: Handlers } | undefined;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.emitter.on("no match", (req: { method?: string; path?: string }) =>
      unexpected.push(`${req.method} ${req.path}`),
    );
  });
  beforeEach(() => {
    unexpected.length = 0;
    for (const key of Object.keys(config)) delete config[key];
    Object.assign(config, {
      "auth0:domain": domain,
      "auth0:clientId": "id",
      "auth0:clientSecret": "secret",
      ...tuningConfig({ maxRetries: "0" }),
    });
    const runtime = createRuntime({ config: (key) => config[key], env: {} });
    handlers = { users: userPermissionsHandlers(runtime), roles: rolePermissionRemovalHandlers(runtime) };
    nock(`https://${domain}`).post("/oauth/token").reply(200, { access_token: "tok", expires_in: 86400 }).persist();
  });
  afterEach(() => {
    try {
      if (options.strict) {
        expect(unexpected).toEqual([]);
        expect(nock.pendingMocks().filter((m) => !m.includes("/oauth/token"))).toEqual([]);
      }
    } finally {
      nock.cleanAll();
    }
  });
  const current = () => {
    if (handlers === undefined) throw new Error("handlers are made in beforeEach");
    return handlers;
  };
  return {
    config,
    users: forwardHandlers(() => current().users),
    roles: forwardHandlers(() => current().roles),
  };
}
