#!/usr/bin/env node
// Throughput of the emulator for permission GET and POST over keep-alive connections.
//
//   npm run build && scripts/with-node22 node bench/emulator-throughput.mjs [--duration 5] [--concurrency 32] [--http]
//
// The emulator runs in a child process (one Node process = one core for its JavaScript and its TLS);
// this process drives the load on the other core. When the load generator saturates first (server CPU
// well under 100%), "requests per server CPU-second" is the emulator's capacity on one core.
// Every run is bounded by --duration per phase.
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    http: { type: "boolean", default: false },
    server: { type: "boolean", default: false },
  },
});
const API = "https://bench.example.com";
const scopes = Array.from({ length: 100 }, (_, i) => `perm:${String(i).padStart(3, "0")}`);

if (values.server) {
  // Child: start the emulator from the built package and report how to reach it.
  const { startEmulator } = await import(new URL("../dist/emulator/index.js", import.meta.url).href);
  const emulator = await startEmulator({
    http: values.http,
    seed: {
      resource_servers: [{ identifier: API, scopes }],
      roles: [
        {
          id: "rol_bench",
          permissions: scopes
            .slice(50, 60)
            .map((permission_name) => ({ resource_server_identifier: API, permission_name })),
        },
      ],
      users: [
        {
          user_id: "auth0|bench",
          roles: ["rol_bench"],
          permissions: scopes
            .slice(0, 20)
            .map((permission_name) => ({ resource_server_identifier: API, permission_name })),
        },
        { user_id: "auth0|writer" },
      ],
    },
  });
  process.send({
    url: emulator.url,
    domain: emulator.domain,
    caCertPath: emulator.caCertPath,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  process.on("message", async (message) => {
    if (message === "cpu") process.send({ cpu: process.cpuUsage() });
    if (message === "stop") {
      await emulator.stop();
      process.exit(0);
    }
  });
} else {
  await main();
}

async function main() {
  const duration = Number(values.duration) * 1000;
  const concurrency = Number(values.concurrency);
  const args = ["--server", ...(values.http ? ["--http"] : [])];
  const child = fork(fileURLToPath(import.meta.url), args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise((resolve) => child.once("message", resolve));
  const target = await next();
  const agent = target.caCertPath
    ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency, ca: readFileSync(target.caCertPath) })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const send = target.caCertPath ? httpsRequest : httpRequest;

  function call(method, path, body, token) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { "content-type": "application/json" };
    if (payload !== undefined) headers["content-length"] = Buffer.byteLength(payload);
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const request = send(`${target.url}${path}`, { method, headers, agent }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      });
      request.on("error", reject);
      request.end(payload);
    });
  }

  const tokenResponse = await new Promise((resolve, reject) => {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: target.clientId,
      client_secret: target.clientSecret,
      audience: `https://${target.domain}/api/v2/`,
    }).toString();
    const request = send(
      `${target.url}/oauth/token`,
      { method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded" } },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve(JSON.parse(text)));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
  const token = tokenResponse.access_token;

  async function phase(label, makeCall, expected, ms) {
    let done = 0;
    let unexpected = 0;
    const cpuBefore = await cpu();
    const start = performance.now();
    const stopAt = start + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = 0; performance.now() < stopAt; i += 1) {
          const status = await makeCall(worker, i);
          if (status !== expected) unexpected += 1;
          done += 1;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = await cpu();
    const serverCpu = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1e6;
    return {
      label,
      requests: done,
      seconds,
      perSecond: done / seconds,
      serverCpuShare: serverCpu / seconds,
      perServerCpuSecond: done / serverCpu,
      unexpected,
    };
  }
  async function cpu() {
    child.send("cpu");
    return (await next()).cpu;
  }

  const get = () =>
    call("GET", "/api/v2/users/auth0%7Cbench/permissions?per_page=100&include_totals=true", undefined, token);
  const post = (worker, i) =>
    call(
      "POST",
      "/api/v2/users/auth0%7Cwriter/permissions",
      { permissions: [{ resource_server_identifier: API, permission_name: scopes[(worker * 7 + i) % 100] }] },
      token,
    );

  await phase("warm-up", get, 200, Math.min(1000, duration));
  const results = [
    await phase("GET  /api/v2/users/{id}/permissions", get, 200, duration),
    await phase("POST /api/v2/users/{id}/permissions", post, 201, duration),
  ];

  console.log(
    `emulator throughput (${target.caCertPath ? "HTTPS" : "HTTP"}, keep-alive, ${concurrency} connections, node ${process.version})`,
  );
  for (const result of results) {
    const cpuNote = `server CPU ${(result.serverCpuShare * 100).toFixed(0)}% of one core, so ${Math.round(result.perServerCpuSecond)} requests per server CPU-second`;
    console.log(
      `  ${result.label}: ${Math.round(result.perSecond)} requests/s (${result.requests} in ${result.seconds.toFixed(1)} s, ${cpuNote}${result.unexpected ? `, ${result.unexpected} unexpected statuses` : ""})`,
    );
  }
  agent.destroy();
  child.send("stop");
  await new Promise((resolve) => child.once("exit", resolve));
  if (results.some((result) => result.unexpected > 0)) process.exitCode = 1;
}
