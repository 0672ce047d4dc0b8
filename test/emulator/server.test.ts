import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";
import { TestClient, useEmulator } from "./support";

const run = promisify(execFile);

describe("HTTPS, binding and lifecycle", () => {
  const env = useEmulator();

  it("serves HTTPS on https://localhost:PORT, with domain localhost:PORT", () => {
    expect(env.emulator.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(env.emulator.domain).toBe(env.emulator.url.replace("https://", ""));
    expect(env.emulator.adminUrl).toBe(`${env.emulator.url}/__admin`);
  });

  it("the certificate covers localhost and 127.0.0.1 and is issued by the CA in caCertPath", async () => {
    const ca = readFileSync(env.emulator.caCertPath ?? "");
    const port = Number(env.emulator.domain.split(":")[1]);
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect({ host: "127.0.0.1", port, ca, servername: "localhost" }, () => {
        const certificate = socket.getPeerX509Certificate();
        socket.end();
        if (certificate === undefined) reject(new Error("no certificate"));
        else resolve(certificate);
      });
      socket.on("error", reject);
    });
    const caCertificate = new X509Certificate(ca);
    expect(peer.subjectAltName).toContain("DNS:localhost");
    expect(peer.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(peer.checkIssued(caCertificate)).toBe(true);
    expect(peer.verify(caCertificate.publicKey)).toBe(true);
    expect(caCertificate.ca).toBe(true);
  });

  it("the CA file holds a certificate and no private key", () => {
    const text = readFileSync(env.emulator.caCertPath ?? "", "utf8");
    expect(text).toContain("BEGIN CERTIFICATE");
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("a Node process that trusts the CA through NODE_EXTRA_CA_CERTS reaches it with plain fetch", async () => {
    const script = `fetch(process.argv[1]).then(r => console.log(r.status), e => { console.error(e.cause ?? e); process.exit(1); })`;
    const trusted = await run(process.execPath, ["-e", script, `${env.emulator.url}/api/v2/roles/x`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: env.emulator.caCertPath },
    });
    expect(trusted.stdout.trim()).toBe("401");
    const { NODE_EXTRA_CA_CERTS: _ignored, ...withoutCa } = process.env;
    await expect(
      run(process.execPath, ["-e", script, `${env.emulator.url}/api/v2/roles/x`], { env: withoutCa }),
    ).rejects.toThrow(/certificate|self.signed|UNABLE_TO_VERIFY/i);
  });

  it("listens on 127.0.0.1 only: the IPv6 loopback gets no answer", async () => {
    const port = Number(env.emulator.domain.split(":")[1]);
    const ipv4 = await new Promise<string>((resolve) => {
      const socket = netConnect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve("connected");
      });
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    const ipv6 = await new Promise<string>((resolve) => {
      const socket = netConnect({ host: "::1", port }, () => {
        socket.destroy();
        resolve("connected");
      });
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    expect(ipv4).toBe("connected");
    expect(ipv6).not.toBe("connected");
  });

  it("a path outside /api/v2, /oauth/token and /__admin answers 404", async () => {
    const result = await env.client.request("GET", "/");
    expect(result.status).toBe(404);
  });
});

describe("options", () => {
  it("http: true serves plain HTTP with no CA file, and accepts the http:// audience too", async () => {
    const emulator = await startEmulator({ http: true, clientSecret: "fixed-secret", clientId: "my-client" });
    const client = new TestClient(emulator);
    try {
      expect(emulator.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(emulator.caCertPath).toBeUndefined();
      expect([emulator.clientId, emulator.clientSecret]).toEqual(["my-client", "fixed-secret"]);
      expect((await client.api("GET", "/resource-servers")).status).toBe(200);
      const httpAudience = await client.request("POST", "/oauth/token", {
        form: {
          grant_type: "client_credentials",
          client_id: "my-client",
          client_secret: "fixed-secret",
          audience: `http://${emulator.domain}/api/v2/`,
        },
      });
      expect(httpAudience.status).toBe(200);
    } finally {
      client.close();
      await emulator.stop();
    }
  });

  it("the default client secret is random for each start", async () => {
    const [first, second] = await Promise.all([startEmulator({ http: true }), startEmulator({ http: true })]);
    expect(first.clientSecret).not.toBe(second.clientSecret);
    expect(first.clientSecret.length).toBeGreaterThanOrEqual(32);
    await Promise.all([first.stop(), second.stop()]);
  });

  it("a fixed port is honoured", async () => {
    const probe = await startEmulator({ http: true });
    const port = Number(probe.domain.split(":")[1]);
    await probe.stop();
    const emulator = await startEmulator({ http: true, port });
    expect(emulator.domain).toBe(`localhost:${port}`);
    await emulator.stop();
  });

  it.each([
    [{ port: -1 }, "port"],
    [{ rateLimit: "gold" as never }, "rate-limit profile"],
    [{ rateLimit: { burst: 0, perSecond: 1 } }, "burst"],
    [{ duplicateAssign: "error" as never }, "duplicateAssign"],
    [{ tokenTtlSeconds: 0 }, "tokenTtlSeconds"],
    [{ seed: { users: [{ user_id: "x", roles: ["missing"] }] } }, "role 'missing' does not exist"],
  ])("startEmulator(%j) rejects with a message naming the problem", async (options, message) => {
    await expect(startEmulator({ http: true, ...options })).rejects.toThrow(message);
  });

  it("stop() ends hanging requests, stops listening and deletes the CA file", async () => {
    const emulator = await startEmulator();
    const client = new TestClient(emulator);
    const caPath = emulator.caCertPath ?? "";
    emulator.admin.addFault({ hang: true });
    const hanging = client.request("GET", "/api/v2/roles/x").then(
      () => "answered",
      () => "closed",
    );
    // Wait (event-loop turns, no timer) until the emulator has logged the hanging request.
    const deadline = Date.now() + 5000;
    while (emulator.admin.requests().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(emulator.admin.requests()).toEqual([expect.objectContaining({ status: 0 })]);
    await emulator.stop();
    expect(await hanging).toBe("closed");
    expect(existsSync(caPath)).toBe(false);
    await expect(client.request("GET", "/api/v2/roles/x")).rejects.toThrow(/ECONNREFUSED|socket hang up/);
    client.close();
  });
});
