import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, TenantClients, type ProviderRuntime } from "../../../src/provider/runtime";
import { userPermissionsHandlers } from "../../../src/provider/user-permissions";

// One registry, as in the provider process: every runtime `configure` builds shares it.
const clients = new TenantClients();
let runtime: ProviderRuntime;
const tenantApi = () => runtime.tenant();

const config = (domain: string, extra: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    "auth0:domain": domain,
    "auth0:clientId": "id",
    "auth0:clientSecret": "secret",
    ...extra,
  };
  runtime = createRuntime({ config: (key) => values[key], env: {}, clients });
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("the provider runtime", () => {
  it("shares one client per tenant: the calls of a deployment get the same client, token and pacer", async () => {
    config("shared.test.auth0.com");
    const first = tenantApi();
    expect(tenantApi()).toBe(first);
    expect(tenantApi().api).toBe(first.api);

    // 50 concurrent reads, as a refresh of 50 resources: one token request, never one per call.
    const token = nock("https://shared.test.auth0.com")
      .post("/oauth/token")
      .once()
      .reply(200, { access_token: "tok", expires_in: 86400 });
    const reads = nock("https://shared.test.auth0.com")
      .get(/\/api\/v2\/users\/.*\/permissions/)
      .times(50)
      .reply(200, { permissions: [], start: 0, limit: 100, total: 0 });
    const state = (i: number) => ({
      schemaVersion: 1,
      domain: "shared.test.auth0.com",
      userId: `auth0|u${i}`,
      permissions: [{ resourceServerIdentifier: "https://api", permissionName: "read:x" }],
    });
    const users = userPermissionsHandlers(runtime);
    await Promise.all(Array.from({ length: 50 }, (_, i) => users.read(`auth0|u${i}`, state(i))));
    expect(token.isDone() && reads.isDone()).toBe(true);
    expect(tenantApi()).toBe(first);
  });

  it("gives another tenant, or other credentials or tuning, a client of its own", () => {
    config("a.test.auth0.com");
    const a = tenantApi();
    config("b.test.auth0.com");
    const b = tenantApi();
    config("a.test.auth0.com", { "pulumi-auth0-permissions:maxConcurrentRequests": "2" });
    const aTuned = tenantApi();
    expect(new Set([a, b, aTuned]).size).toBe(3);
    expect(b.settings.domain).toBe("b.test.auth0.com");
    config("a.test.auth0.com");
    expect(tenantApi()).toBe(a);
  });
});
