import { describe, expect, it } from "vitest";
import { maximumDelayMs, startEmulator } from "../../src/emulator";
import { RequestLog } from "../../src/emulator/request-log";
import { wireOn } from "../helpers/tenant";
import { standardSeed, TestClient, useEmulator } from "./support";

describe("the control surface, closed to other web sites", () => {
  // Plain HTTP: an HTTPS client would check the forged Host against the certificate before sending.
  const env = useEmulator(() => ({ seed: standardSeed(), http: true }));

  it("an admin write without Content-Type: application/json answers 415 and changes nothing", async () => {
    const before = env.emulator.admin.state();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const result = await env.client.request("POST", "/__admin/seed?replace=true", {
        rawBody: "{}",
        headers: { "content-type": type },
      });
      expect(result.status).toBe(415);
      expect((result.json as { message: string }).message).toContain("Content-Type: application/json");
    }
    const bare = await env.client.request("POST", "/__admin/reset");
    expect(bare.status).toBe(415);
    expect(env.emulator.admin.state()).toEqual(before);
    const json = await env.client.request("POST", "/__admin/reset", {
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(204);
  });

  it("a control call whose Host header is not the emulator's answers 403 and serves no secret", async () => {
    const port = new URL(env.emulator.url).port;
    const rebound = await env.client.request("GET", "/__admin/state", { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.text).not.toContain(env.emulator.clientSecret);
    expect((await env.client.request("GET", "/__admin/state", { headers: { host: `localhost:${port}` } })).status).toBe(
      200,
    );
    expect((await env.client.request("GET", "/__admin/state", { headers: { host: `127.0.0.1:${port}` } })).status).toBe(
      200,
    );
  });
});

describe("the control surface with an admin token", () => {
  const env = useEmulator(() => ({ seed: standardSeed(), adminToken: true }));

  it("with adminToken every control call needs Authorization: Bearer <token>; the API is unaffected", async () => {
    const token = env.emulator.adminToken;
    expect(token).toMatch(/^[\w-]{32}$/);
    const without = await env.client.request("GET", "/__admin/state");
    expect(without.status).toBe(401);
    expect(without.text).not.toContain(env.emulator.clientSecret);
    const wrong = await env.client.request("GET", "/__admin/state", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await env.client.request("GET", "/__admin/state", { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect((await env.client.api("GET", "/roles/rol_reader")).status).toBe(200);
  });

  it("an adminToken that is too short rejects startEmulator", async () => {
    await expect(startEmulator({ http: true, adminToken: "short" })).rejects.toThrow("adminToken must be true or 16");
  });
});

describe("bounded memory and time", () => {
  it("the request log is capped by bytes as well as by count: 4000 requests with 16 KB paths stay under the cap", () => {
    const log = new RequestLog(100_000, 1_000_000, () => 0);
    const junk = "x".repeat(16_000);
    for (let i = 0; i < 4000; i++) log.record("GET", `/${junk}/${i}`, { q: junk }, 404);
    expect(log.size).toBeLessThanOrEqual(1_000_000);
    const kept = log.list();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(100);
    expect(kept.at(-1)?.path).toBe(`/${junk}/3999`);
    const small = new RequestLog(3, 1_000_000, () => 0);
    for (let i = 0; i < 10; i++) small.record("GET", `/${i}`, {}, 200);
    expect(small.list().map((entry) => entry.path)).toEqual(["/7", "/8", "/9"]);
  });

  it("requestLogMaxBytes bounds the log of a running emulator", async () => {
    const emulator = await startEmulator({ http: true, requestLogMaxBytes: 200_000 });
    const client = new TestClient(emulator);
    try {
      const long = "y".repeat(8000);
      for (let i = 0; i < 40; i++) await client.request("GET", `/junk/${i}?filler=${long}`);
      const entries = emulator.admin.requests();
      expect(entries.length).toBeLessThan(40);
      expect(entries.at(-1)?.path).toBe("/junk/39");
      expect(JSON.stringify(entries).length).toBeLessThan(200_000);
    } finally {
      client.close();
      await emulator.stop();
    }
  });

  it("a fault path pattern that backtracks catastrophically costs at most its time budget, then answers 500 naming it and is removed", async () => {
    const emulator = await startEmulator({ http: true });
    const client = new TestClient(emulator);
    try {
      emulator.admin.addFault({ match: { path: "^/api/v2/(a|a)*$" }, response: { status: 418 } });
      const path = `/api/v2/${"a".repeat(40)}b`;
      const started = Date.now();
      const result = await client.request("GET", path);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.status).toBe(500);
      expect((result.json as { message: string }).message).toContain("catastrophic backtracking");
      expect((await client.request("GET", path)).status).toBe(404);
      expect(emulator.admin.requests().map((entry) => entry.status)).toEqual([500, 404]);
    } finally {
      client.close();
      await emulator.stop();
    }
  });

  it.each([
    [{ match: { path: "a".repeat(1001) } }, "longer than 1000 characters"],
    [{ delay_ms: maximumDelayMs + 1 }, "delay_ms must be a number from 0 to 2147483647"],
    [{ delay_ms: 2 ** 40 }, "use hang"],
  ])("a fault %s is rejected: bounded pattern and delay", async (fault, message) => {
    const emulator = await startEmulator({ http: true });
    try {
      expect(() => emulator.admin.addFault(fault)).toThrow(message);
      expect(() => emulator.admin.addFault({ delay_ms: maximumDelayMs, times: 1 })).not.toThrow();
    } finally {
      await emulator.stop();
    }
  });
});

describe("permission keys", () => {
  const env = useEmulator(() => ({
    http: true,
    seed: {
      resource_servers: [
        { identifier: "https://a", scopes: ["x\u0000y"] },
        { identifier: "https://a\u0000x", scopes: ["y"] },
      ],
      users: [{ user_id: "auth0|k" }],
    },
  }));

  it("two distinct permissions never share a store key, whatever characters they hold", async () => {
    const both = [wireOn("https://a", "x\u0000y"), wireOn("https://a\u0000x", "y")];
    expect((await env.client.api("POST", "/users/auth0%7Ck/permissions", { permissions: both })).status).toBe(201);
    const listed = (await env.client.api("GET", "/users/auth0%7Ck/permissions")).json as unknown[];
    expect(listed).toHaveLength(2);
    await env.client.api("DELETE", "/users/auth0%7Ck/permissions", { permissions: [both[0]] });
    expect((await env.client.api("GET", "/users/auth0%7Ck/permissions")).json).toMatchObject([
      { resource_server_identifier: "https://a\u0000x", permission_name: "y" },
    ]);
  });
});
