import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TUNING } from "../../src/config/defaults";
import type { Settings } from "../../src/config/settings";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { startConnectProxy } from "./support/connect-proxy";
import { failureOf, hostileClient } from "./support/servers";
import { useUnsetEnv } from "../helpers/env";

/**
 * A real forward proxy on loopback in front of the emulator over HTTPS: the token request and the
 * permission requests go through a CONNECT tunnel, the tenant's certificate is verified end to end
 * (its CA is trusted, nothing else), and the proxy sees host names only.
 */
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"];
useUnsetEnv(PROXY_VARS);

const rs = "https://api.example.com";
const seed = {
  resource_servers: [{ identifier: rs, scopes: ["read:reports"] }],
  users: [
    { user_id: "auth0|proxied", permissions: [{ resource_server_identifier: rs, permission_name: "read:reports" }] },
  ],
};
const readUser = {
  method: "GET" as const,
  path: "/api/v2/users/auth0%7Cproxied/permissions?per_page=100&page=0&include_totals=true",
  context: { action: "read the permissions of", target: "user 'auth0|proxied'" },
};

function settingsFor(emulator: RunningEmulator): Settings {
  return {
    domain: emulator.domain,
    credentials: {
      kind: "clientCredentials",
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      audience: `https://${emulator.domain}/api/v2/`,
    },
    tuning: { ...DEFAULT_TUNING, maxRetries: 0, requestTimeoutMs: 5_000 },
    debug: false,
  };
}

describe("hostile network: a CONNECT proxy between the client and an HTTPS tenant", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    // Trust the emulator's CA the way NODE_EXTRA_CA_CERTS would, for this worker only.
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), readFileSync(emulator.caCertPath!, "utf8")]);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("the token and the permission requests pass through the tunnel; the proxy never sees a header in the clear", async () => {
    const proxy = await startConnectProxy();
    try {
      process.env["HTTPS_PROXY"] = proxy.url;
      emulator.admin.clearRequests();
      const { client } = hostileClient(emulator.url, settingsFor(emulator));
      const response = await client.request(readUser);
      expect(response.status).toBe(200);
      expect(emulator.admin.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        "POST /oauth/token 200",
        "GET /api/v2/users/auth0%7Cproxied/permissions 200",
      ]);
      expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
      expect(new Set(proxy.connects)).toEqual(new Set([emulator.domain]));
      expect(proxy.plain).toEqual([]);
      const seen = proxy.tunnelledBytes().toString("latin1");
      expect(seen.length).toBeGreaterThan(1_000); // TLS handshake and records did cross it
      for (const clear of ["authorization", "Authorization", "Bearer", "client_secret", emulator.clientSecret]) {
        expect(seen).not.toContain(clear);
      }
    } finally {
      await proxy.close();
    }
  });

  it("NO_PROXY bypasses the proxy (a host name covers its port, as with curl); other hosts still use it", async () => {
    const proxy = await startConnectProxy();
    try {
      process.env["HTTPS_PROXY"] = proxy.url;
      process.env["NO_PROXY"] = "example.internal,localhost";
      expect((await hostileClient(emulator.url, settingsFor(emulator)).client.request(readUser)).status).toBe(200);
      expect(proxy.connects).toEqual([]);
      expect(proxy.plain).toEqual([]);
      // The same request with a NO_PROXY that does not list the tenant goes through the proxy.
      process.env["NO_PROXY"] = "example.internal,.localhost.example";
      expect((await hostileClient(emulator.url, settingsFor(emulator)).client.request(readUser)).status).toBe(200);
      expect(proxy.connects).toEqual([emulator.domain]);
    } finally {
      await proxy.close();
    }
  });

  it("the tenant's certificate is verified through the tunnel: an untrusted one fails, whatever the proxy", async () => {
    const proxy = await startConnectProxy();
    const trusted = tls.getCACertificates("default");
    try {
      process.env["HTTPS_PROXY"] = proxy.url;
      tls.setDefaultCACertificates(tls.getCACertificates("bundled")); // the emulator's CA no longer trusted
      const { error } = await failureOf(hostileClient(emulator.url, settingsFor(emulator)).client.request(readUser));
      expect(proxy.connects).toEqual([emulator.domain]);
      expect(error.message).toMatch(
        /POST \/oauth\/token failed with (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)/,
      );
    } finally {
      tls.setDefaultCACertificates(trusted);
      await proxy.close();
    }
  });

  it("proxy credentials in the URL are used, and a refused password is never printed", async () => {
    const proxy = await startConnectProxy({ user: "ci-runner", password: "pr0xy p@ss" });
    try {
      process.env["https_proxy"] = `http://ci-runner:${encodeURIComponent("pr0xy p@ss")}@127.0.0.1:${proxy.port}`;
      expect((await hostileClient(emulator.url, settingsFor(emulator)).client.request(readUser)).status).toBe(200);
      expect(proxy.connects).toContain(emulator.domain);

      process.env["https_proxy"] = `http://ci-runner:${encodeURIComponent("wrong p@ss")}@127.0.0.1:${proxy.port}`;
      const { client, logs } = hostileClient(emulator.url, settingsFor(emulator));
      const { error } = await failureOf(client.request(readUser));
      expect(error.message).toMatch(/the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+ refused the request \(407/);
      for (const text of [error.message, logs.join("\n")]) {
        for (const form of ["wrong p@ss", encodeURIComponent("wrong p@ss"), "ci-runner"])
          expect(text).not.toContain(form);
      }
    } finally {
      await proxy.close();
    }
  });
});

describe("hostile network: HTTP_PROXY for a plain-http tenant (the emulator's --http mode)", () => {
  it("forwards plain requests through HTTP_PROXY", async () => {
    const emulator = await startEmulator({ seed, http: true });
    const proxy = await startConnectProxy();
    try {
      process.env["HTTP_PROXY"] = proxy.url;
      const settings = settingsFor(emulator);
      const { client } = hostileClient(emulator.url, settings);
      expect((await client.request(readUser)).status).toBe(200);
      expect(proxy.plain.map((p) => new URL(p.url).pathname)).toEqual([
        "/oauth/token",
        "/api/v2/users/auth0%7Cproxied/permissions",
      ]);
    } finally {
      await proxy.close();
      await emulator.stop();
    }
  });
});
