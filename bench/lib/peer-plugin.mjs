// The peer's provider plugin, `pulumi-resource-auth0`, built from tools/pulumi-auth0-provider with Go
// from the module proxy and cached like the Pulumi CLI (scripts/pulumi-cli.mjs):
// ${XDG_CACHE_HOME:-~/.cache}/pulumi-auth0-permissions/auth0-provider-<version>/bin.
// A failed build is not fatal: the caller records the exact error and runs without the peer.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheRoot } from "../../scripts/pulumi-cli.mjs";

/** The @pulumi/auth0 npm SDK version the plugin stands in for (the engine looks plugins up by it). */
export const PEER_SDK_VERSION = "3.49.0";
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const TOOLS_DIR = path.join(REPO, "tools", "pulumi-auth0-provider");
const SOURCES = ["go.mod", "go.sum", "main.go", "schema.json", "shim/go.mod", "shim/shim.go"];
const STAMP = ".build-stamp.json";

export function peerBinDir() {
  return path.join(cacheRoot(), `auth0-provider-${PEER_SDK_VERSION}`, "bin");
}

async function fingerprint() {
  const h = createHash("sha256");
  for (const file of SOURCES) {
    h.update(`${file}\n`);
    h.update(await fsp.readFile(path.join(TOOLS_DIR, file)).catch(() => Buffer.from("(missing)")));
  }
  return h.digest("hex");
}

function findGo() {
  for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/go/bin"]) {
    const go = path.join(dir, "go");
    try {
      fs.accessSync(go, fs.constants.X_OK);
      return go;
    } catch {
      // next
    }
  }
  return undefined;
}

function runGo(go, args, env, say) {
  return new Promise((resolve) => {
    const child = spawn(go, args, { cwd: TOOLS_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setInterval(
      () => say("still building the peer plugin (compiling the Terraform provider and the bridge)..."),
      60_000,
    );
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("close", (code) => {
      clearInterval(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Returns `{ binDir, version, built }`, or `{ error }` with the exact reason the plugin could not be
 * built (the Go error text, last lines).
 */
export async function ensurePeerPlugin({ log = console.error } = {}) {
  const say = (line) => log(`[peer-plugin] ${line}`);
  const binDir = peerBinDir();
  const exe = path.join(binDir, "pulumi-resource-auth0");
  const wanted = await fingerprint();
  try {
    const stamp = JSON.parse(await fsp.readFile(path.join(binDir, STAMP), "utf8"));
    if (stamp.source === wanted && fs.existsSync(exe)) {
      say(`using cached ${exe}`);
      return { binDir, version: PEER_SDK_VERSION, built: false, stamp };
    }
  } catch {
    // not built yet
  }
  const go = findGo();
  if (!go) return { error: "Go is not installed (needed to build the peer's provider plugin from the module proxy)" };
  const env = { ...process.env, CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly -buildvcs=false" };
  const goVersion = await new Promise((resolve) =>
    execFile(go, ["env", "GOVERSION"], { env }, (_e, out) => resolve(String(out).trim())),
  );
  say(
    `building pulumi-resource-auth0 (Terraform provider auth0 + pulumi-terraform-bridge) with ${goVersion}; several minutes on 2 cores`,
  );
  const started = Date.now();
  const tmp = `${binDir}.tmp-${process.pid}`;
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp, { recursive: true });
  const { code, output } = await runGo(
    go,
    [
      "build",
      "-trimpath",
      "-ldflags",
      `-s -w -X main.Version=${PEER_SDK_VERSION}`,
      "-o",
      path.join(tmp, "pulumi-resource-auth0"),
      ".",
    ],
    env,
    say,
  );
  if (code !== 0) {
    await fsp.rm(tmp, { recursive: true, force: true });
    const tail = output
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("go: downloading"))
      .slice(-15)
      .join("\n");
    return { error: `go build in tools/pulumi-auth0-provider failed (exit ${code}):\n${tail}` };
  }
  const stamp = {
    version: PEER_SDK_VERSION,
    source: wanted,
    go: goVersion,
    builtAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  await fsp.writeFile(path.join(tmp, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
  await fsp.rm(binDir, { recursive: true, force: true });
  await fsp.rename(tmp, binDir);
  say(`built ${exe} in ${stamp.seconds} s`);
  return { binDir, version: PEER_SDK_VERSION, built: true, stamp };
}
