#!/usr/bin/env node
// `npm run bench` / `npm run bench -- --quick`: real `pulumi preview`, `up`, `refresh` and `destroy`
// of stacks of this library's resources and of the official @pulumi/auth0 resources, against the
// Auth0 emulator over HTTPS, under the emulator's rate-limit profiles. See docs/performance.md.
//
// Options:
//   --quick            smoke run of about 2 minutes (small N, written to bench/results/quick/)
//   --only SPEC        run only scenarios matching every key=value in SPEC, e.g. impl=ours,profile=free,n=100
//   --no-peer          skip @pulumi/auth0 (and its plugin build)
//   --out DIR          where results go (default bench/results, or bench/results/quick with --quick)
//   --keep             keep the scratch directory (printed at start)
//   --repeat K         run every scenario K times, ours and the peer alternating (the report shows medians)
//   --name STEM        file name stem of the results (default: the date, YYYY-MM-DD)
//   --phases LIST      only these phases, e.g. preview,up,destroy (profiling; default: all)
//   --parallel N       pass --parallel N to up, refresh and destroy (profiling; default: Pulumi's default)
//   --env KEY=VALUE    extra environment for every pulumi command, repeatable (profiling, e.g.
//                      PULUMI_SKIP_CHECKPOINTS=true); recorded in the results
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensurePulumiCli, pulumiEnv } from "../scripts/pulumi-cli.mjs";
import { ensurePeerPlugin, PEER_SDK_VERSION } from "./lib/peer-plugin.mjs";
import { watchProcessTree } from "./lib/process-memory.mjs";
import { writeReports } from "./lib/report.mjs";
import {
  API,
  boundSeconds,
  endpointOf,
  expectedState,
  minimumRequests,
  PROFILES,
  roleId,
  seedFor,
  userId,
} from "./lib/workload.mjs";
import { fullMatrix, quickMatrix } from "./lib/matrix.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    "no-peer": { type: "boolean", default: false },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
    phases: { type: "string" },
    parallel: { type: "string" },
    env: { type: "string", multiple: true, default: [] },
    repeat: { type: "string" },
    name: { type: "string" },
  },
});
const PHASES = args.phases
  ? args.phases.split(",").map((p) => p.trim())
  : ["preview", "up", "up again", "refresh", "destroy"];
const extraEnv = Object.fromEntries(
  args.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);
const say = (line) => console.log(line);
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// Scenarios

let scenarios = args.quick ? quickMatrix() : fullMatrix();
if (args.only) {
  const filters = args.only.split(",").map((kv) => kv.split("="));
  scenarios = scenarios.filter((s) => filters.every(([k, v]) => String(s[k]) === v));
}
if (args["no-peer"]) scenarios = scenarios.filter((s) => s.impl !== "peer");
// --repeat K: each scenario K times, ours and the peer alternating, so both see the same machine load.
const repeat = Math.max(1, Number(args.repeat ?? 1));
if (repeat > 1) {
  const groups = new Map();
  for (const s of scenarios) {
    const k = JSON.stringify({ ...s, impl: undefined });
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(s);
  }
  scenarios = [...groups.values()].flatMap((group) =>
    Array.from({ length: repeat }, (_, r) => group.map((s) => ({ ...s, run: r + 1 }))).flat(),
  );
}

// ---------------------------------------------------------------------------------------------
// Tools: the Pulumi CLI, the peer plugin, the packed package in a scratch project

const { startEmulator } = await import(join(REPO, "dist", "emulator", "index.js"));
const cli = await ensurePulumiCli({ log: (line) => say(`  ${line}`) });
let peer = { skipped: "not requested" };
if (scenarios.some((s) => s.impl === "peer")) {
  peer = await ensurePeerPlugin({ log: (line) => say(`  ${line}`) });
  if (peer.error) {
    say(`  the peer cannot run: ${peer.error}`);
    scenarios = scenarios.filter((s) => s.impl !== "peer");
  }
}

const work = mkdtempSync(join(os.tmpdir(), "auth0-permissions-bench-"));
say(`scratch directory ${work}${args.keep ? " (kept)" : ""}`);
const project = join(work, "project");
mkdirSync(project, { recursive: true });
const ours = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const tarball = join(
  work,
  execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], {
    cwd: REPO,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop(),
);
writeFileSync(
  join(project, "package.json"),
  JSON.stringify(
    {
      name: "auth0-permissions-bench",
      private: true,
      dependencies: {
        "pulumi-auth0-permissions": `file:${tarball}`,
        "@pulumi/pulumi": ours.devDependencies["@pulumi/pulumi"],
        "@pulumi/auth0": PEER_SDK_VERSION,
      },
    },
    null,
    2,
  ),
);
say("installing the packed package, @pulumi/pulumi and @pulumi/auth0 into the scratch project");
// --ignore-scripts: no install hook may try to download a provider plugin.
execFileSync(
  "npm",
  ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
  { cwd: project, stdio: ["ignore", "inherit", "inherit"] },
);
const installed = (name) =>
  JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")).version;
for (const impl of ["ours", "peer"]) {
  const dir = join(project, impl);
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, "bench", "programs", impl, "index.js"), join(dir, "index.js"));
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    `name: bench-${impl}\nmain: index.js\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// The tenant

const emulator = await startEmulator({ rateLimit: "none" });
const baseEnv = pulumiEnv({
  binDir: cli.binDir,
  home: join(work, "pulumi-home"),
  backendDir: join(work, "backend"),
  passphrase: "bench-passphrase",
  extra: {
    // Both implementations read the same credentials from the environment, and trust the emulator's CA:
    // Node through NODE_EXTRA_CA_CERTS, Go through SSL_CERT_FILE.
    AUTH0_DOMAIN: emulator.domain,
    AUTH0_CLIENT_ID: emulator.clientId,
    AUTH0_CLIENT_SECRET: emulator.clientSecret,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    SSL_CERT_FILE: emulator.caCertPath,
  },
});
if (peer.binDir) baseEnv.PATH = `${peer.binDir}:${baseEnv.PATH}`;
Object.assign(baseEnv, extraEnv);

// Ctrl-C: stop the running pulumi command, the emulator and the scratch directory, then exit.
let current;
process.once("SIGINT", async () => {
  say("\ninterrupted: stopping");
  current?.kill("SIGINT");
  await new Promise((r) => setTimeout(r, 2000));
  await emulator.stop();
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  process.exit(130);
});

function runPulumi(cwd, argv, { timeoutMs, env = {} }) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("pulumi", ["--non-interactive", ...argv], {
      cwd,
      env: { ...baseEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    current = child;
    const memory = watchProcessTree(child.pid);
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGINT");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ code: code ?? -1, signal, wallMs, output, timedOut, memory: memory.stop() });
    });
  });
}

const mustRun = async (cwd, argv) => {
  const r = await runPulumi(cwd, argv, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`pulumi ${argv.join(" ")} exited ${r.code}:\n${r.output}`);
  return r;
};

function tenantPermissions(workload) {
  const state = emulator.admin.state();
  const result = [];
  for (let i = 0; i < workload.n; i++) {
    const entity =
      workload.kind === "user"
        ? state.users.find((u) => u.user_id === userId(i))
        : state.roles.find((r) => r.id === roleId(i));
    result.push((entity?.permissions ?? []).map((p) => p.permission_name).sort());
  }
  return result;
}

function summarizeRequests(log) {
  const byEndpoint = {};
  let api = 0;
  let reads = 0;
  let writes = 0;
  let tokens = 0;
  let status429 = 0;
  let errors = 0;
  for (const r of log) {
    const key = endpointOf(r.method, r.path);
    byEndpoint[key] = (byEndpoint[key] ?? 0) + 1;
    if (r.status === 429) status429++;
    else if (r.status >= 400 || r.status === 0) errors++;
    if (r.path === "/oauth/token") tokens++;
    else if (r.path.startsWith("/api/v2/")) {
      api++;
      if (r.status === 429) continue;
      if (r.method === "GET") reads++;
      else writes++;
    }
  }
  const times = log.map((r) => Date.parse(r.at));
  const activeMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  return { byEndpoint, api, reads, writes, tokens, status429, errors, activeMs };
}

// ---------------------------------------------------------------------------------------------
// Run

const results = [];
say(
  `\n${scenarios.length} scenarios; phases ${PHASES.join(", ")}; 2 cores shared, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
for (const [index, scenario] of scenarios.entries()) {
  const { impl, kind, profile, n, m } = scenario;
  const label = `${impl} ${kind} ${profile} N=${n} M=${m}${scenario.variant ? ` (${scenario.variant})` : ""}`;
  const dir = join(project, impl);
  const stack = `${impl}-${kind}-${profile}-n${n}-m${m}${scenario.variant ? `-${scenario.variant}` : ""}${scenario.run ? `-r${scenario.run}` : ""}`;
  const record = { ...scenario, stack, phases: [], loadBefore: os.loadavg(), startedAt: new Date().toISOString() };
  results.push(record);
  say(`\n[${index + 1}/${scenarios.length}] ${label}`);
  try {
    emulator.admin.setRateLimit({ profile: "none" });
    emulator.admin.seed(seedFor(scenario), { replace: true });
    await mustRun(dir, ["stack", "init", stack]);
    await mustRun(dir, [
      "config",
      "set-all",
      "--stack",
      stack,
      "--plaintext",
      `bench:kind=${kind}`,
      "--plaintext",
      `bench:count=${n}`,
      "--plaintext",
      `bench:perms=${m}`,
      "--plaintext",
      `bench:api=${API}`,
    ]);
    for (const phase of PHASES) {
      if (scenario.phases && !scenario.phases.includes(phase)) continue;
      const minimum = minimumRequests(scenario, phase);
      const boundRequests = minimum.reads + minimum.writes;
      const bound = boundSeconds(boundRequests, profile);
      const argv =
        phase === "preview"
          ? ["preview", "--stack", stack]
          : phase === "refresh"
            ? ["refresh", "--yes", "--skip-preview", "--stack", stack]
            : phase === "destroy"
              ? ["destroy", "--yes", "--skip-preview", "--stack", stack]
              : ["up", "--yes", "--skip-preview", "--stack", stack];
      if (args.parallel && phase !== "preview") argv.push("--parallel", args.parallel);
      emulator.admin.setRateLimit({ profile }); // every phase starts with a full bucket
      emulator.admin.clearRequests();
      const loadBefore = os.loadavg()[0];
      const run = await runPulumi(dir, argv, {
        timeoutMs: Math.max(600_000, 6 * (bound ?? 0) * 1000 + 300_000),
        env: scenario.env,
      });
      const requests = summarizeRequests(emulator.admin.requests());
      const expected = expectedState(scenario, impl, phase);
      const stateOk =
        expected === undefined
          ? undefined
          : tenantPermissions(scenario).every(
              (p) => p.length === expected.length && p.every((x, j) => x === expected[j]),
            );
      const wall = run.wallMs / 1000;
      const entry = {
        phase,
        exitCode: run.code,
        ...(run.timedOut ? { timedOut: true } : {}),
        wallSeconds: round(wall, 2),
        requests,
        minimum,
        bound: { requests: boundRequests, seconds: bound === undefined ? null : round(bound, 2) },
        efficiency: bound === undefined || bound === 0 ? null : round(bound / wall, 3),
        providerPeakMb: mb(run.memory.provider?.peakBytes),
        providerProcesses: run.memory.provider?.processes ?? 0,
        enginePeakMb: mb(run.memory.engine?.peakBytes),
        programPeakMb: mb(run.memory.program?.peakBytes),
        stateOk,
        load1: round((loadBefore + os.loadavg()[0]) / 2, 1),
      };
      if (run.code !== 0) entry.outputTail = run.output.trim().split("\n").slice(-25).join("\n");
      record.phases.push(entry);
      say(
        `  ${phase.padEnd(9)} ${wall.toFixed(1).padStart(7)} s  api ${String(requests.api).padStart(5)} (r ${requests.reads}, w ${requests.writes})` +
          `  token ${requests.tokens}  429 ${requests.status429}` +
          (bound === undefined ? "" : `  bound ${bound.toFixed(1)} s eff ${entry.efficiency ?? "-"}`) +
          `  provider ${entry.providerPeakMb ?? "-"} MB  state ${stateOk === undefined ? "-" : stateOk ? "ok" : "WRONG"}` +
          (run.code !== 0 ? `  EXIT ${run.code}${run.timedOut ? " (stopped at the phase time limit)" : ""}` : ""),
      );
      if (run.code !== 0)
        say(
          entry.outputTail
            .split("\n")
            .map((l) => `    | ${l}`)
            .join("\n"),
        );
    }
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    say(`  failed: ${record.error.split("\n").slice(0, 20).join("\n")}`);
  }
  record.loadAfter = os.loadavg();
}

await emulator.stop();

const document = {
  date: new Date().toISOString(),
  quick: args.quick,
  command: process.argv.slice(2).join(" "),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    note: "2 cores shared with other workers running tests: load1 per phase is recorded; figures are noisy",
  },
  versions: {
    node: process.versions.node,
    pulumiCli: cli.version,
    pulumiSdk: installed("@pulumi/pulumi"),
    ours: `${ours.version} (${gitHead()})`,
    peerSdk: scenarios.some((s) => s.impl === "peer") ? installed("@pulumi/auth0") : undefined,
    peerPlugin: peer.error
      ? { error: peer.error }
      : peer.stamp
        ? {
            ...peer.stamp,
            source: undefined,
            terraformProvider: "github.com/auth0/terraform-provider-auth0 v1.44.0",
            bridge: "github.com/pulumi/pulumi-terraform-bridge/v3 v3.135.0",
          }
        : peer,
  },
  settings: {
    phases: PHASES,
    profiles: PROFILES,
    pulumiFlags: `--non-interactive; up/refresh/destroy with --yes --skip-preview; ${args.parallel ? `--parallel ${args.parallel}` : "default --parallel"}`,
    extraEnv,
    bucketAtPhaseStart: "full (the emulator's bucket is replaced before every phase)",
    phaseTimeLimit: "max(600 s, 6 x bound + 300 s); a phase over it is stopped with SIGINT and marked timedOut",
    oursSettings: "defaults (maxConcurrentRequests 8, requestsPerSecond 0 = paced by x-ratelimit-* headers)",
  },
  scenarios: results,
};
const outDir = args.out ?? join(REPO, "bench", "results", ...(args.quick ? ["quick"] : []));
const written = writeReports(document, outDir, args.name);
say(`\nwrote ${written.join(", ")}`);
say(
  readFileSync(
    written.find((f) => f.endsWith(".md")),
    "utf8",
  ),
);
if (!args.keep) rmSync(work, { recursive: true, force: true });
process.exit(results.some((r) => r.error) ? 1 : 0);

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
function mb(bytes) {
  return bytes === undefined ? null : round(bytes / 2 ** 20, 1);
}
function gitHead() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
