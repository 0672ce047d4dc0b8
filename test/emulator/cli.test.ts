import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { API, TestClient } from "./support";

// The command as installed: the built file (npm ci builds it through `prepare`).
const cli = resolve(__dirname, "../../dist/emulator/cli.js");

function start(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  firstLine: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [cli, ...args]);
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolveLine, reject) => {
    lines.once("line", resolveLine);
    child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
  });
  const exit = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  return { child, firstLine, exit };
}

function collect(
  child: ChildProcessWithoutNullStreams,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveAll) => child.once("exit", (code) => resolveAll({ stdout, stderr, code })));
}

describe("the auth0-permissions-emulator command", () => {
  const running: ChildProcessWithoutNullStreams[] = [];
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  });
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("starts with a shebang so npm can link it as a bin", () => {
    expect(readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("--help documents every flag and exits 0", async () => {
    const { stdout, code } = await collect(spawn(process.execPath, [cli, "--help"]));
    expect(code).toBe(0);
    for (const flag of ["--port", "--http", "--rate-limit", "--seed", "--help", "NODE_EXTRA_CA_CERTS"]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain("none | free");
  });

  it("an unknown flag exits 2 with the help on stderr", async () => {
    const { stderr, code } = await collect(spawn(process.execPath, [cli, "--bogus"]));
    expect(code).toBe(2);
    expect(stderr).toContain("Usage:");
  });

  it("prints the domain, client id and secret, CA file and admin URL, serves a seeded tenant, and stops cleanly on SIGTERM", async () => {
    const folder = mkdtempSync(join(tmpdir(), "emulator-cli-test-"));
    const seedFile = join(folder, "seed.json");
    writeFileSync(
      seedFile,
      JSON.stringify({ resource_servers: [{ identifier: API, scopes: ["read:foo"] }], roles: [{ id: "rol_cli" }] }),
    );
    const { child, firstLine, exit } = start([
      "--json",
      "--port",
      "0",
      "--seed",
      seedFile,
      "--rate-limit",
      "free",
      "--client-secret",
      "cli-secret",
    ]);
    running.push(child);
    const details = JSON.parse(await firstLine) as Record<string, string>;
    expect(details).toMatchObject({ client_id: "emulator-client", client_secret: "cli-secret" });
    expect(details["domain"]).toMatch(/^localhost:\d+$/);
    expect(details["admin_url"]).toBe(`https://${details["domain"]}/__admin`);
    expect(existsSync(details["ca_cert_path"] ?? "")).toBe(true);

    const client = new TestClient({
      url: details["url"] ?? "",
      domain: details["domain"] ?? "",
      caCertPath: details["ca_cert_path"],
      clientId: "emulator-client",
      clientSecret: "cli-secret",
    });
    const answer = await client.api("GET", "/roles/rol_cli/permissions");
    expect(answer.status).toBe(200);
    expect(answer.headers["x-ratelimit-limit"]).toBe("2");
    client.close();

    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(existsSync(details["ca_cert_path"] ?? "")).toBe(false);
  });

  it("without --json it prints readable lines, including the NODE_EXTRA_CA_CERTS export, and SIGINT stops it", async () => {
    const { child, exit } = start(["--port", "0"]);
    running.push(child);
    let stdout = "";
    await new Promise<void>((resolveOutput) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("Ctrl-C")) resolveOutput();
      });
    });
    for (const label of [
      "domain:",
      "client id:",
      "client secret:",
      "CA file:",
      "admin URL:",
      "export NODE_EXTRA_CA_CERTS=",
      "pulumi config set auth0:domain localhost:",
    ]) {
      expect(stdout).toContain(label);
    }
    child.kill("SIGINT");
    expect(await exit).toBe(0);
  });
});
