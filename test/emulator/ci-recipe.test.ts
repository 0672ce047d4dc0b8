import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

// The CI recipe of docs/emulator.md, run as written by `bash -e` (what GitHub Actions' `run:` does), in a
// scratch project whose node_modules/.bin links the built command as npm links a bin (executable).
// `pulumi` on PATH is a test harness, not Pulumi: it records its arguments, and for up/preview/destroy it
// reaches the emulator with plain fetch, trusting the CA only through NODE_EXTRA_CA_CERTS, as Pulumi's Node
// processes do. It can hold (wait for a file) so a test can signal the recipe in the middle of a step.
const root = resolve(__dirname, "../..");
const cli = join(root, "dist/emulator/cli.js");
const guide = readFileSync(join(root, "docs/emulator.md"), "utf8");
const ciSection = guide.slice(guide.indexOf("## In CI"), guide.indexOf("## In process"));
const block = (language: string): string => {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)\\n\\s*```").exec(ciSection);
  if (match?.[1] === undefined) throw new Error(`no ${language} block in the CI section of docs/emulator.md`);
  // The blocks are indented under a numbered list item.
  return match[1].replace(/^ {3}/gm, "");
};

const pulumiHarness = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync("pulumi.log", JSON.stringify(args) + "\\n");
const config = fs.existsSync("config.json") ? JSON.parse(fs.readFileSync("config.json", "utf8")) : {};
if (args[0] === "config") {
  const values = args.filter((arg) => !arg.startsWith("--"));
  config[values[2]] = values[3];
  fs.writeFileSync("config.json", JSON.stringify(config));
  return;
}
(async () => {
  if (process.env.HOLD_STEP === args[0]) {
    fs.writeFileSync("holding", "");
    for (let i = 0; i < 300 && !fs.existsSync("release"); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const answer = await fetch("https://" + config["auth0:domain"] + "/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: config["auth0:clientId"],
      client_secret: config["auth0:clientSecret"],
      audience: "https://" + config["auth0:domain"] + "/api/v2/",
    }),
  });
  if (answer.status !== 200) throw new Error("token request answered " + answer.status);
  const { access_token } = await answer.json();
  const roles = await fetch("https://" + config["auth0:domain"] + "/api/v2/roles/rol_analyst/permissions", {
    headers: { authorization: "Bearer " + access_token },
  });
  if (roles.status !== 200) throw new Error("GET role permissions answered " + roles.status);
})().catch((error) => {
  console.error("pulumi harness: " + (error.cause?.code ?? error.message));
  process.exit(1);
});
`;

interface Run {
  folder: string;
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function runRecipe(env: Record<string, string> = {}): Run {
  const folder = mkdtempSync(join(tmpdir(), "emulator-ci-recipe-"));
  mkdirSync(join(folder, "node_modules/.bin"), { recursive: true });
  symlinkSync(cli, join(folder, "node_modules/.bin/auth0-permissions-emulator"));
  mkdirSync(join(folder, "bin"));
  writeFileSync(join(folder, "bin/pulumi"), pulumiHarness, { mode: 0o755 });
  writeFileSync(join(folder, "auth0-seed.json"), block("json"));
  writeFileSync(join(folder, "ci.sh"), `${block("bash")}\n`);
  // Its own process group, as a CI runner's step is: a signal to -pid reaches every process of the recipe.
  const child = spawn("bash", ["-e", "ci.sh"], {
    cwd: folder,
    detached: true,
    env: {
      ...process.env,
      PATH: `${join(folder, "bin")}:${dirname(process.execPath)}:${process.env["PATH"] ?? ""}`,
      NODE_EXTRA_CA_CERTS: "",
      ...env,
    },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit({ code, signal })),
  );
  return { folder, child, exit, stderr: () => stderr };
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(path)) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`${path} never appeared`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the recipe left behind once its shell exited: the emulator must be gone with its CA and pid files. */
async function leftovers(run: Run): Promise<{ emulatorRunning: boolean; caFile: boolean; pidFile: boolean }> {
  const details = JSON.parse(readFileSync(join(run.folder, "emulator.json"), "utf8")) as {
    pid: number;
    ca_cert_path: string;
  };
  expect(typeof details.pid).toBe("number"); // the emulator's own pid, from its --json line
  // The trap waits for the emulator, so it is gone when the shell is; allow a moment for a slow machine.
  for (let i = 0; i < 40 && alive(details.pid); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    emulatorRunning: alive(details.pid),
    caFile: existsSync(details.ca_cert_path),
    pidFile: existsSync(join(run.folder, "emulator.pid")),
  };
}

const clean = { emulatorRunning: false, caFile: false, pidFile: false };

describe("the CI recipe of docs/emulator.md, run through bash", () => {
  const runs: Run[] = [];
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    chmodSync(cli, 0o755); // npm makes a bin's target executable when it links it
  });
  afterEach(() => {
    for (const run of runs.splice(0)) if (run.child.exitCode === null) process.kill(-(run.child.pid ?? 0), "SIGKILL");
  });

  it("runs as written under bash -e, and leaves no emulator, CA file or pid file behind", async () => {
    const run = runRecipe();
    runs.push(run);
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const calls = readFileSync(join(run.folder, "pulumi.log"), "utf8").trim().split("\n");
    expect(calls.map((line) => (JSON.parse(line) as string[])[0])).toEqual([
      "config",
      "config",
      "config",
      "up",
      "preview",
      "destroy",
    ]);
    expect(await leftovers(run)).toEqual(clean);
  });

  it("a SIGINT to the whole step (Ctrl-C, a cancelled job) stops the emulator cleanly and ends the script", async () => {
    const run = runRecipe({ HOLD_STEP: "up" });
    runs.push(run);
    await waitFor(join(run.folder, "holding"));
    process.kill(-(run.child.pid ?? 0), "SIGINT");
    const exit = await run.exit;
    expect(exit.code === 130 || exit.signal === "SIGINT").toBe(true);
    expect(await leftovers(run)).toEqual(clean);
  });

  it("a SIGTERM to the shell stops the emulator cleanly once the running step returns", async () => {
    const run = runRecipe({ HOLD_STEP: "up" });
    runs.push(run);
    await waitFor(join(run.folder, "holding"));
    run.child.kill("SIGTERM");
    writeFileSync(join(run.folder, "release"), "");
    expect(await run.exit).toEqual({ code: 143, signal: null });
    expect(await leftovers(run)).toEqual(clean);
  });

  it("a SIGTERM to the emulator stops it cleanly, and the next step fails the script", async () => {
    const run = runRecipe({ HOLD_STEP: "preview" });
    runs.push(run);
    await waitFor(join(run.folder, "holding"));
    process.kill(Number(readFileSync(join(run.folder, "emulator.pid"), "utf8")), "SIGTERM");
    for (let i = 0; i < 100 && existsSync(join(run.folder, "emulator.pid")); i++) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
    writeFileSync(join(run.folder, "release"), "");
    expect((await run.exit).code).toBe(1);
    expect(run.stderr()).toContain("pulumi harness: ECONNREFUSED");
    expect(await leftovers(run)).toEqual(clean);
  });
});
