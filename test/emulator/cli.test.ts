import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
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
    for (const flag of [
      "--port",
      "--http",
      "--rate-limit",
      "--seed",
      "--permission-order",
      "--user-permission-sources",
      "--token-scope",
      "--admin-token",
      "--ca-dir",
      "--pid-file",
      "--help",
      "NODE_EXTRA_CA_CERTS",
    ]) {
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

  it("--pid-file writes the process id, and SIGTERM removes it with the CA file", async () => {
    const folder = mkdtempSync(join(tmpdir(), "emulator-cli-pid-"));
    const pidFile = join(folder, "emulator.pid");
    const { child, firstLine, exit } = start(["--json", "--pid-file", pidFile]);
    running.push(child);
    const details = JSON.parse(await firstLine) as Record<string, unknown>;
    expect(readFileSync(pidFile, "utf8")).toBe(`${child.pid}\n`);
    expect(details["pid"]).toBe(child.pid);
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM");
    expect(await exit).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expect(existsSync(String(details["ca_cert_path"]))).toBe(false);
  });

  it("--ca-dir keeps the CA across starts, so a client trusts it once", async () => {
    const caDir = join(mkdtempSync(join(tmpdir(), "emulator-cli-ca-")), "ca");
    const answers: number[] = [];
    const certificates: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { child, firstLine, exit } = start(["--json", "--ca-dir", caDir]);
      running.push(child);
      const details = JSON.parse(await firstLine) as Record<string, string>;
      expect(details["ca_cert_path"]).toBe(join(caDir, "ca.pem"));
      certificates.push(readFileSync(join(caDir, "ca.pem"), "utf8"));
      // Trust the CA as read before this start: the new leaf must chain to it.
      const client = new TestClient({
        url: details["url"] ?? "",
        domain: details["domain"] ?? "",
        caCertPath: run === 0 ? details["ca_cert_path"] : join(caDir, "ca.pem"),
        clientId: details["client_id"] ?? "",
        clientSecret: details["client_secret"] ?? "",
      });
      answers.push((await client.api("GET", "/resource-servers")).status);
      client.close();
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(existsSync(join(caDir, "ca.pem"))).toBe(true);
    }
    expect(answers).toEqual([200, 200]);
    expect(certificates[1]).toBe(certificates[0]);
    expect(certificates[0]).not.toContain("PRIVATE KEY");
    expect(statSync(join(caDir, "ca-key.pem")).mode & 0o777).toBe(0o600);
  });

  it("--ca-dir with a damaged CA exits 1 naming the files to delete", async () => {
    const caDir = mkdtempSync(join(tmpdir(), "emulator-cli-badca-"));
    writeFileSync(join(caDir, "ca-key.pem"), "not a key");
    writeFileSync(join(caDir, "ca.pem"), "not a certificate");
    const { stderr, code } = await collect(spawn(process.execPath, [cli, "--ca-dir", caDir]));
    expect(code).toBe(1);
    expect(stderr).toContain(`The CA kept in ${caDir} cannot be used`);
    expect(stderr).toContain("Delete ca.pem and ca-key.pem");
  });

  it("--admin-token prints a token that every /__admin call then needs", async () => {
    const { child, firstLine, exit } = start(["--json", "--http", "--admin-token"]);
    running.push(child);
    const details = JSON.parse(await firstLine) as Record<string, string>;
    const token = details["admin_token"] ?? "";
    expect(token.length).toBeGreaterThanOrEqual(32);
    const state = `${details["admin_url"]}/state`;
    expect((await fetch(state)).status).toBe(401);
    expect((await fetch(state, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    child.kill("SIGINT");
    expect(await exit).toBe(0);
  });

  it("--user-permission-sources, --permission-order and --token-scope select those modes", async () => {
    const folder = mkdtempSync(join(tmpdir(), "emulator-cli-modes-"));
    const seedFile = join(folder, "seed.json");
    const scopes = Array.from({ length: 30 }, (_, i) => `s:${String(i).padStart(2, "0")}`);
    const grant = (permission_name: string) => ({ resource_server_identifier: API, permission_name });
    writeFileSync(
      seedFile,
      JSON.stringify({
        resource_servers: [{ identifier: API, scopes }],
        roles: [{ id: "rol_all", permissions: scopes.map(grant) }],
        users: [{ user_id: "auth0|m", permissions: [grant("s:00")], roles: ["rol_all"] }],
      }),
    );
    const { child, firstLine, exit } = start([
      ...["--json", "--http", "--seed", seedFile, "--token-scope"],
      ...["--user-permission-sources", "direct-only", "--permission-order", "shuffled"],
    ]);
    running.push(child);
    const details = JSON.parse(await firstLine) as Record<string, string>;
    const client = new TestClient({
      url: details["url"] ?? "",
      domain: details["domain"] ?? "",
      caCertPath: undefined,
      clientId: details["client_id"] ?? "",
      clientSecret: details["client_secret"] ?? "",
    });
    const token = await client.request("POST", "/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: details["client_id"] ?? "",
        client_secret: details["client_secret"] ?? "",
        audience: `https://${details["domain"]}/api/v2/`,
      },
    });
    expect(token.json).toHaveProperty("scope");
    const user = (await client.api("GET", "/users/auth0%7Cm/permissions")).json as Array<{ permission_name: string }>;
    expect(user.map((entry) => entry.permission_name)).toEqual(["s:00"]);
    const role = (await client.api("GET", "/roles/rol_all/permissions?per_page=30")).json as Array<{
      permission_name: string;
    }>;
    expect(role.map((entry) => entry.permission_name)).not.toEqual(scopes);
    client.close();
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
