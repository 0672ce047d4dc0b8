// The provider's own CPU per operation, without the engine: N UserPermissions check+create, then N reads,
// 8 in flight (the engine's default --parallel), against the emulator in a process of its own (so its CPU
// is not counted), over HTTPS with no rate limit.
//
//   npm run build && scripts/with-node22 node bench/provider-cpu.mjs [REPO] [N]
//
// REPO is a built checkout of this package (default: this one), so two trees can be compared with the
// same script and emulator. Prints one JSON line: CPU ms (user + system) and wall ms per phase.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(process.argv[2] ?? here);
const N = Number(process.argv[3] ?? 500);
const M = 10;
const IN_FLIGHT = 8;
const API = "https://bench.example/api";
const userId = (i) => `auth0|bench-${String(i).padStart(4, "0")}`;

const dir = mkdtempSync(join(tmpdir(), "provider-cpu-"));
const scopes = Array.from({ length: M }, (_, j) => `perm:${String(j).padStart(3, "0")}`);
const seed = {
  resource_servers: [{ identifier: API, name: "Bench API", scopes: scopes.map((value) => ({ value })) }],
  users: Array.from({ length: N }, (_, i) => ({ user_id: userId(i) })),
  roles: [],
};
writeFileSync(join(dir, "seed.json"), JSON.stringify(seed));
const emulator = spawn(
  process.execPath,
  [join(here, "dist/emulator/cli.js"), "--json", "--seed", join(dir, "seed.json"), "--ca-dir", dir],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const info = await new Promise((done, fail) => {
  let text = "";
  emulator.once("exit", (code) => fail(new Error(`emulator exited with ${code}`)));
  emulator.stdout.on("data", (chunk) => {
    text += chunk;
    if (text.includes("\n")) done(JSON.parse(text.slice(0, text.indexOf("\n"))));
  });
});
tls.setDefaultCACertificates([...tls.getCACertificates("default"), readFileSync(info.ca_cert_path, "utf8")]);

const provider = await import(join(repo, "dist/provider/index.js"));
const config = {
  "auth0:domain": info.domain,
  "auth0:clientId": info.client_id,
  "auth0:clientSecret": info.client_secret,
};
await provider.configure({ config: { get: (key) => config[key] } });
const handlers = provider.handlers("UserPermissions");
const permissions = scopes.map((permissionName) => ({ resourceServerIdentifier: API, permissionName }));

async function phase(run) {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) await run(next++);
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Math.round(performance.now() - start) };
}

const states = [];
const create = await phase(async (i) => {
  const checked = await handlers.check({}, { userId: userId(i), permissions });
  if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
  states[i] = (await handlers.create(checked.inputs)).outs;
});
const read = await phase(async (i) => void (await handlers.read(states[i].userId, states[i])));
console.log(JSON.stringify({ repo, n: N, create, read }));
emulator.kill("SIGTERM");
await new Promise((done) => emulator.once("exit", done));
rmSync(dir, { recursive: true, force: true });
