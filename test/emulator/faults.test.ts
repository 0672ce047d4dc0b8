import { afterEach, describe, expect, it } from "vitest";
import { standardSeed, useEmulator } from "./support";

describe("faults", () => {
  const delays: number[] = [];
  const env = useEmulator(() => ({
    seed: standardSeed(),
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  }));
  afterEach(() => {
    env.emulator.admin.reset();
    delays.length = 0;
  });
  const path = "/roles/rol_reader/permissions";

  it("a response fault replaces the answer with its status, headers and JSON body", async () => {
    env.emulator.admin.addFault({
      match: { method: "GET", path: "^/api/v2/roles/[^/]+/permissions$" },
      response: {
        status: 429,
        headers: { "x-ratelimit-reset": "1700000000", "retry-after": "3" },
        body: { statusCode: 429 },
      },
    });
    const result = await env.client.api("GET", path);
    expect(result.status).toBe(429);
    expect(result.headers["x-ratelimit-reset"]).toBe("1700000000");
    expect(result.headers["retry-after"]).toBe("3");
    expect(result.json).toEqual({ statusCode: 429 });
  });

  it("a fault applies to as many matching requests as its times, then the real answer returns", async () => {
    env.emulator.admin.addFault({ match: { path: "/permissions$" }, times: 2, response: { status: 503 } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await env.client.api("GET", path)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("a fault matches by method and path regex, and leaves other requests alone", async () => {
    env.emulator.admin.addFault({ match: { method: "delete", path: "rol_reader" }, response: { status: 500 } });
    expect((await env.client.api("GET", path)).status).toBe(200);
    expect((await env.client.api("GET", "/users/auth0%7Calice/permissions")).status).toBe(200);
    expect(
      (
        await env.client.api("DELETE", path, {
          permissions: [{ resource_server_identifier: "x", permission_name: "y" }],
        })
      ).status,
    ).toBe(500);
  });

  it("faults can target the token endpoint", async () => {
    env.emulator.admin.addFault({ match: { path: "^/oauth/token$" }, response: { status: 500, body: "oops" } });
    const result = await env.client.request("POST", "/oauth/token", { form: { grant_type: "client_credentials" } });
    expect([result.status, result.text]).toEqual([500, "oops"]);
  });

  it("delay_ms waits (through the injected timer) and then serves the request normally", async () => {
    env.emulator.admin.addFault({ match: { path: "rol_reader" }, delay_ms: 1500 });
    const result = await env.client.api("GET", path);
    expect(result.status).toBe(200);
    expect(delays).toEqual([1500]);
  });

  it("reset_connection destroys the connection without an answer", async () => {
    env.emulator.admin.addFault({ match: { path: "rol_reader" }, reset_connection: true });
    await expect(env.client.api("GET", path)).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect((await env.client.api("GET", path)).status).toBe(200);
  });

  it("hang never answers; the client's own timeout ends the wait", async () => {
    env.emulator.admin.addFault({ match: { path: "rol_reader" }, hang: true });
    const token = await env.client.token();
    const { request } = await import("node:https");
    const { readFileSync } = await import("node:fs");
    const outcome = await new Promise<string>((resolve) => {
      const call = request(`${env.emulator.url}/api/v2${path}`, {
        headers: { authorization: `Bearer ${token}` },
        ca: readFileSync(env.emulator.caCertPath ?? ""),
        timeout: 200,
      });
      call.on("response", () => resolve("answered"));
      call.on("timeout", () => {
        call.destroy();
        resolve("timed out");
      });
      call.on("error", () => resolve("timed out"));
      call.end();
    });
    expect(outcome).toBe("timed out");
    expect(env.emulator.admin.requests().at(-1)).toMatchObject({ path: `/api/v2${path}`, status: 0 });
  });

  it("admin.clearFaults removes pending faults", async () => {
    env.emulator.admin.addFault({ response: { status: 500 }, times: 5 });
    env.emulator.admin.clearFaults();
    expect((await env.client.api("GET", path)).status).toBe(200);
  });

  it.each([
    [{ times: 0 }, "times"],
    [{ match: { path: "(" } }, "regular expression"],
    [{ response: { status: 42 } }, "status"],
    [{ hang: true, reset_connection: true }, "only one"],
    [{ delay: 5 }, "Unknown fault field"],
  ])("an invalid fault %j is rejected", (fault, message) => {
    expect(() => env.emulator.admin.addFault(fault as never)).toThrow(message);
  });
});
