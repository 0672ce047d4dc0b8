import nock from "nock";
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
