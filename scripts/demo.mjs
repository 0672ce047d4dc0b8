// `npm run demo`: the main job, end to end, against the embedded Auth0 emulator.
// Starts the emulator over HTTPS, seeds a tenant, runs examples/quickstart with the real Pulumi CLI
// (preview, up, destroy) on a local file backend, and prints the tenant's permissions as tables.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePulumiCli, pulumiEnv } from "./pulumi-cli.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startEmulator } = await import(join(repo, "dist", "emulator", "index.js"));

const API = "https://api.example.com";
const USER = "auth0|demo-analyst";
const ROLE = "rol_DemoSupport0001";
const wire = (permission_name) => ({ resource_server_identifier: API, permission_name });
const step = (text) => console.log(`\n\u25b6 ${text}`);

const started = Date.now();
step("Checking for the Pulumi CLI");
const { binDir, version, built } = await ensurePulumiCli({ log: (line) => console.log(`  ${line}`) });
console.log(`  pulumi v${version} ${built ? "built and cached" : "found"} in ${binDir}`);

step("Starting the Auth0 Management API emulator (HTTPS, loopback only)");
const emulator = await startEmulator({
  seed: {
    resource_servers: [
      {
        identifier: API,
        name: "Reports API",
        scopes: ["read:reports", "export:reports", "write:reports", "delete:reports", "view:dashboards"],
      },
    ],
    users: [{ user_id: USER, permissions: [wire("view:dashboards")] }],
    roles: [
      { id: ROLE, name: "Support", permissions: [wire("read:reports"), wire("write:reports"), wire("delete:reports")] },
    ],
  },
});
console.log(`  tenant ${emulator.domain}: user ${USER} has 1 unrelated permission; role ${ROLE} has 3`);

const work = mkdtempSync(join(tmpdir(), "auth0-permissions-demo-"));
let exitCode = 1;
try {
  const program = join(work, "program");
  mkdirSync(program);
  copyFileSync(join(repo, "examples", "quickstart", "index.ts"), join(program, "index.ts"));
  copyFileSync(join(repo, "examples", "quickstart", "Pulumi.yaml"), join(program, "Pulumi.yaml"));
  writeFileSync(join(program, "package.json"), JSON.stringify({ name: "auth0-permissions-demo", private: true }));
  // The program resolves @pulumi/pulumi and this package from the repository's node_modules.
  symlinkSync(join(repo, "node_modules"), join(program, "node_modules"), "junction");
  mkdirSync(join(work, "backend"));
  const env = pulumiEnv({
    binDir,
    nodeBinDir: dirname(process.execPath),
    home: join(work, "pulumi-home"),
    backendDir: join(work, "backend"),
    passphrase: "demo-passphrase",
    extra: { NODE_EXTRA_CA_CERTS: emulator.caCertPath },
  });
  const pulumi = (args, { quiet = false } = {}) => run(binDir, program, env, args, quiet);

  step("Creating stack 'demo' and its config (the client secret is stored as a secret)");
  await pulumi(["stack", "init", "demo"], { quiet: true });
  for (const [key, value, secret] of [
    ["auth0:domain", emulator.domain],
    ["auth0:clientId", emulator.clientId],
    ["auth0:clientSecret", emulator.clientSecret, true],
    ["apiIdentifier", API],
    ["userId", USER],
    ["roleId", ROLE],
  ]) {
    await pulumi(["config", "set", ...(secret ? ["--secret"] : []), key, "--", value], { quiet: true });
  }

  printTenant("Before", emulator);
  emulator.admin.clearRequests();

  step("pulumi preview  (sends no request to the tenant)");
  await pulumi(["preview", "--diff"]);
  console.log(`  requests the emulator received during preview: ${emulator.admin.requests().length}`);

  step("pulumi up");
  await pulumi(["up", "--yes", "--skip-preview"]);
  printTenant("After pulumi up", emulator);
  printRequests(emulator);

  step("pulumi destroy");
  emulator.admin.clearRequests();
  await pulumi(["destroy", "--yes", "--skip-preview"]);
  printTenant("After pulumi destroy", emulator);

  const user = names(emulator, "users", USER);
  const role = names(emulator, "roles", ROLE);
  const ok = same(user, ["view:dashboards"]) && same(role, ["delete:reports", "read:reports", "write:reports"]);
  step(
    ok
      ? "Done: the user is back to its unrelated permission only, and the role is restored exactly."
      : "UNEXPECTED: the tenant did not return to its starting state.",
  );
  console.log(`  total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);

function run(binDir, cwd, env, args, quiet) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDir, "pulumi"), ["--non-interactive", ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let pending = "";
    // Pulumi redraws progress lines; print whole lines only, indented under the step.
    const onData = (chunk) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop();
      if (!quiet) for (const line of lines) if (line.trim() !== "") console.log(`  | ${line}`);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      if (!quiet && pending.trim() !== "") console.log(`  | ${pending}`);
      if (code === 0) resolve(output);
      else reject(new Error(`pulumi ${args.join(" ")} exited ${code}\n${output}`));
    });
  });
}

function names(emulator, kind, id) {
  const state = emulator.admin.state();
  const entity = kind === "users" ? state.users.find((u) => u.user_id === id) : state.roles.find((r) => r.id === id);
  return (entity?.permissions ?? []).map((p) => p.permission_name).sort();
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function printTenant(title, emulator) {
  step(`${title}: the tenant's permissions`);
  table(`User ${USER} (direct)`, names(emulator, "users", USER));
  table(`Role ${ROLE}`, names(emulator, "roles", ROLE));
}

function table(title, permissions) {
  const rows = permissions.length > 0 ? permissions.map((p) => [API, p]) : [["(none)", ""]];
  const widths = [Math.max(3, ...rows.map((r) => r[0].length)), Math.max(10, ...rows.map((r) => r[1].length))];
  const line = (cells) => `  | ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const rule = `  +${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  console.log(`  ${title}`);
  console.log([rule, line(["API", "permission"]), rule, ...rows.map(line), rule].join("\n"));
}

function printRequests(emulator) {
  const counts = new Map();
  for (const r of emulator.admin.requests()) {
    const key = `${r.method} ${r.path.replace(/\/(users|roles)\/[^/]+/, "/$1/{id}")}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  console.log("  requests the emulator received during up:");
  for (const [key, count] of counts) console.log(`    ${String(count).padStart(3)}  ${key}`);
}
