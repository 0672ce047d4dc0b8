import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { E2eStack } from "../../e2e/support/stack";
import { PROGRAM, credentialsEnv, configuredStack } from "../../e2e/support/emulator-stack";
import { tuningConfig } from "../../helpers/config";
import { waitFor } from "../support/cli";
import { record } from "../support/figures";
import { SecretScan, describeFindings, findSecrets, registerSecret, tokensIssued } from "../support/secrets";
import { SCENARIO_SEED, WORKLOAD } from "../../helpers/tenant";

/**
 * The secret scan at its most demanding: Pulumi's own verbose logs (`-v=9`, `--logflow` so the
 * plugins log too), to stderr and to log files, with the library's request logging on, while
 * tokens expire, requests fail and retries run out, for credentials from stack config and from
 * the environment. Every byte is searched for the client secret and every token issued.
 *
 * One thing is found, and it is Pulumi's, not this library's: at -v=9 the engine logs the dynamic
 * provider's Configure inputs, which are the decrypted stack config (the dynamic provider server
 * does not accept secrets). The scan counts that exact line in its own figure; anything else fails.
 * With credentials in the environment, or at -v=8 and below, not even that line carries a secret.
 */
const VERBOSE = ["--logtostderr", "-v=9", "--logflow"];

let emulator: RunningEmulator;
const scan = new SecretScan();
const logDirs: string[] = [];
let verboseRuns = 0;
const counted = <T>(run: Promise<T>): Promise<T> => {
  verboseRuns++;
  return run;
};
beforeAll(async () => {
  emulator = await startEmulator({ seed: SCENARIO_SEED });
  registerSecret(emulator.clientSecret);
});
afterAll(async () => {
  await emulator?.stop();
  for (const dir of logDirs) rmSync(dir, { recursive: true, force: true });
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

async function expireTokensOnFirstWrite(): Promise<void> {
  await waitFor(
    () => emulator.admin.requests().some((r) => r.path.startsWith("/api/v2/") && r.method !== "GET"),
    60_000,
  );
  emulator.admin.expireTokens();
}

describe("no credential in Pulumi's verbose logs", () => {
  it("credentials from stack config: up, refresh, failing up, destroy at -v=9 with --logflow and request logging", async () => {
    const stack = await configuredStack(emulator, { tuning: { debug: "true", maxRetries: "1" } });
    await stack.setResources(WORKLOAD);
    emulator.admin.addFault({
      match: { path: "^/api/v2/" },
      times: 2,
      response: { status: 503, body: { message: "busy" } },
    });
    const [up] = await Promise.all([
      counted(stack.run(["up", "--yes", "--skip-preview", ...VERBOSE])),
      expireTokensOnFirstWrite(),
    ]);
    expect(up.code, up.stderr.slice(-3000)).toBe(0);
    // One level lower, Pulumi's own Configure line is not logged: nothing at all may be found.
    const refresh = await counted(
      stack.run(["refresh", "--yes", "--skip-preview", "--logtostderr", "-v=8", "--logflow"]),
    );
    expect(refresh.code).toBe(0);
    expect(findSecrets("refresh at -v=8", refresh.output)).toEqual([]);

    // A failure with retries exhausted, logged verbosely into log files instead of stderr.
    const logDir = mkdtempSync(join(tmpdir(), "pulumi-logs-"));
    logDirs.push(logDir);
    await stack.setResources([
      ...WORKLOAD,
      {
        kind: "user",
        name: "grant-u4",
        id: "auth0|u4",
        permissions: [{ resourceServerIdentifier: "https://api.example.com", permissionName: "read:reports" }],
      },
    ]);
    emulator.admin.addFault({
      match: { method: "POST", path: "^/api/v2/users/auth0%7Cu4/" },
      times: 100,
      response: { status: 503, body: { message: "busy" } },
    });
    const failing = await counted(
      stack.run(["up", "--yes", "--skip-preview", "-v=9", "--logflow"], { TMPDIR: logDir }),
    );
    expect(failing.code).not.toBe(0);
    expect(failing.output).toMatch(/Could not grant permissions to user 'auth0\|u4'/);
    emulator.admin.clearFaults();
    const logFiles = filesBelow(logDir);
    expect(logFiles.length, "pulumi wrote its verbose log files to TMPDIR").toBeGreaterThan(0);
    for (const file of logFiles) scan.add(`pulumi log file ${file}`, readFileSync(file, "utf8"));

    const destroy = await counted(stack.run(["destroy", "--yes", "--skip-preview", ...VERBOSE]));
    expect(destroy.code).toBe(0);
    for (const [i, text] of stack.transcript.entries()) scan.add(`verbose pulumi output #${i}`, text);
    scan.add("state file", stack.stateFileText());
    scan.add("stack export", await stack.exportText());
  });

  it("credentials from the environment: up and destroy at -v=9 with --logflow", async () => {
    const stack = await E2eStack.create(PROGRAM, {
      caCertPath: emulator.caCertPath!,
      env: credentialsEnv(emulator),
    });
    await stack.setConfigs(tuningConfig({ debug: "true" }));
    await stack.setResources(WORKLOAD);
    const [up] = await Promise.all([
      counted(stack.run(["up", "--yes", "--skip-preview", ...VERBOSE])),
      expireTokensOnFirstWrite(),
    ]);
    expect(up.code, up.stderr.slice(-3000)).toBe(0);
    const destroy = await counted(stack.run(["destroy", "--yes", "--skip-preview", ...VERBOSE]));
    expect(destroy.code).toBe(0);
    for (const [i, text] of stack.transcript.entries()) scan.add(`verbose pulumi output (env credentials) #${i}`, text);
    scan.add("state file (env credentials)", stack.stateFileText());
  });

  it("finds nothing", () => {
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    expect(tokensIssued()).toBeGreaterThanOrEqual(4);
    record("Secrets", "verbose Pulumi runs scanned (-v=8 and -v=9 with --logflow; stderr and log files)", verboseRuns);
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
