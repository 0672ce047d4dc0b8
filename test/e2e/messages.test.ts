import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { E2E_SEED, perm, setUserPermissions } from "../helpers/tenant";
import { PROGRAM, configuredStack, credentialsEnv } from "./support/emulator-stack";
import { E2eStack, type ResourceSpec } from "./support/stack";

/**
 * The messages a user reads, through the real CLI (issue 12, "Messages a user reads"): a configuration
 * problem is one readable message, never a stack trace; what the provider prints about a resource (a retry,
 * a drift warning) is shown under that resource, not under the Stack.
 */
const grant = (name: string, id: string, ...names: string[]): ResourceSpec => ({
  kind: "user",
  name,
  id,
  permissions: names.map(perm),
});
/** A JavaScript stack frame, as Node prints it. */
const FRAME = /^\s*at .*(:\d+:\d+\)?|\(native\))$/m;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: E2E_SEED });
});
afterAll(async () => {
  await emulator?.stop();
});

/** The lines of the output that contain `text`; none may hold it twice. */
function linesWith(output: string, text: string): string[] {
  const lines = output.split("\n").filter((line) => line.includes(text));
  for (const line of lines) expect(line.split(text).length, line).toBe(2);
  return lines;
}

/** `--event-log` is a flag of the CLI's debug commands. */
const DEBUG_COMMANDS = { PULUMI_DEBUG_COMMANDS: "true" };

/** The engine's diagnostic events from `--event-log`: the URN each message was attached to. */
interface Diagnostic {
  readonly urn?: string;
  readonly message: string;
  readonly severity: string;
}
function diagnostics(eventLog: string): Diagnostic[] {
  return readFileSync(eventLog, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { diagnosticEvent?: Diagnostic })
    .flatMap((event) => (event.diagnosticEvent ? [event.diagnosticEvent] : []));
}

/** The block of the rendered `Diagnostics:` section under one resource's header, up to the next header. */
function diagnosticsUnder(output: string, header: string): string {
  const section = output.slice(output.lastIndexOf("Diagnostics:"));
  const start = section.indexOf(header);
  if (start < 0) return "";
  const rest = section.slice(start + header.length);
  const next = rest.search(/\n {2}\S/);
  return next < 0 ? rest : rest.slice(0, next);
}

describe("configuration problems: one message naming the key and the fix, no stack trace", () => {
  it("a missing auth0:domain fails preview as a check failure, on one line", async () => {
    const stack = await E2eStack.create(PROGRAM, { caCertPath: emulator.caCertPath! });
    await stack.setResources([grant("g", "auth0|alice", "read:reports")]);
    emulator.admin.clearRequests();
    const result = await stack.preview();
    expect(result.code).not.toBe(0);
    expect(result.output).not.toMatch(FRAME);
    expect(result.output).not.toContain("ConfigurationError");
    expect(linesWith(result.output, "auth0:domain is not set.")).toEqual([
      "error: pulumi-nodejs:dynamic/auth0:UserPermissions resource 'g' has a problem: auth0:domain is not set. " +
        "Set it with `pulumi config set auth0:domain <tenant>.auth0.com`, or export AUTH0_DOMAIN.",
    ]);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it.each([
    [
      "a tuning value out of range",
      ["pulumi-auth0-permissions:maxRetries", "99", false],
      /pulumi-auth0-permissions:maxRetries must be at most 20, got "99" \(range 0 to 20\)\. Fix it with `pulumi config set pulumi-auth0-permissions:maxRetries 6`/,
    ],
    [
      "a client secret with a trailing newline",
      ["auth0:clientSecret", "", true],
      /auth0:clientSecret contains white space \(a trailing newline\).*`pulumi config set --secret auth0:clientSecret '<value>'`/,
    ],
    [
      "a malformed auth0:domain",
      ["auth0:domain", "https://tenant.example/api/v2", false],
      /auth0:domain must be a host name/,
    ],
  ] as const)("%s fails preview the same way", async (_name, [key, value, secret], message) => {
    const stack = await configuredStack(emulator);
    await stack.setResources([grant("g", "auth0|alice", "read:reports")]);
    await stack.setConfig(key, value === "" ? `${emulator.clientSecret}\n` : value, secret);
    emulator.admin.clearRequests();
    const result = await stack.preview();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(new RegExp(`resource 'g' has a problem: ${message.source}`));
    expect(result.output).not.toMatch(FRAME);
    expect(result.output).not.toContain("ConfigurationError");
    expect(result.output).not.toContain(emulator.clientSecret);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it("refresh and destroy, which never call check, fail with the message on one line each, no trace", async () => {
    // Refresh and destroy configure the provider with the stack config recorded at the last update, so a
    // key removed since is still set for them; an environment variable that went missing is not.
    const stack = await E2eStack.create(PROGRAM, { caCertPath: emulator.caCertPath!, env: credentialsEnv(emulator) });
    await stack.setResources([grant("g", "auth0|alice", "read:reports")]);
    await stack.up();
    emulator.admin.clearRequests();
    for (const command of ["refresh", "destroy"]) {
      const result = await stack.run([command, "--yes", "--skip-preview"], { AUTH0_DOMAIN: "" });
      expect(result.code, result.output).not.toBe(0);
      expect(result.output).not.toMatch(FRAME);
      expect(result.output).not.toContain("ConfigurationError");
      linesWith(result.output, "auth0:domain is not set.");
      // Reported on the resource, once; not again under the Stack (the host's own stderr copy is left out).
      const onResource = diagnosticsUnder(result.output, "pulumi-nodejs:dynamic/auth0:UserPermissions (g):");
      expect(onResource.split("auth0:domain is not set.").length, result.output).toBe(2);
      expect(onResource).toContain("error: auth0:domain is not set. Set it with `pulumi config set auth0:domain");
      expect(diagnosticsUnder(result.output, "pulumi:pulumi:Stack")).not.toContain("auth0:domain");
    }
    expect(emulator.admin.requests()).toEqual([]);
    await stack.destroy();
  });
});

describe("what the provider prints about a resource is shown under that resource", () => {
  it("a retry, at pulumi up", async () => {
    const stack = await configuredStack(emulator);
    await stack.setResources([grant("retried", "auth0|alice", "export:reports")]);
    emulator.admin.addFault({
      match: { method: "POST", path: "/users/auth0%7Calice/permissions$" },
      times: 1,
      response: { status: 503, body: { statusCode: 503, error: "Service Unavailable", message: "busy" } },
    });
    const eventLog = join(stack.dir, "up-events.json");
    const result = await stack.mustRun(["up", "--yes", "--skip-preview", "--event-log", eventLog], DEBUG_COMMANDS);
    emulator.admin.clearFaults();
    const retry = /POST \/api\/v2\/users\/auth0%7Calice\/permissions: HTTP 503; retry 1\/6 in \d+\.\d s/;
    const events = diagnostics(eventLog).filter((d) => retry.test(d.message));
    expect(events, result.output).toHaveLength(1);
    expect(events[0]!.urn).toMatch(/::pulumi-nodejs:dynamic\/auth0:UserPermissions::retried$/);
    expect(diagnosticsUnder(result.output, "pulumi-nodejs:dynamic/auth0:UserPermissions (retried):")).toMatch(retry);
    expect(diagnosticsUnder(result.output, "pulumi:pulumi:Stack")).not.toMatch(retry);
    await stack.destroy();
  });

  it("a drift warning, at pulumi refresh; the first read of a process names its user under the Stack", async () => {
    const stack = await configuredStack(emulator);
    await stack.setResources([grant("a", "auth0|alice", "read:reports"), grant("b", "auth0|bob", "export:reports")]);
    await stack.up();
    setUserPermissions(emulator, "auth0|alice", ["unrelated:thing"]);
    setUserPermissions(emulator, "auth0|bob", ["unrelated:thing"]);
    const eventLog = join(stack.dir, "refresh-events.json");
    // One read at a time. The first request a provider process serves runs before this package is loaded,
    // so that read's warning cannot be attached (README, Troubleshooting); the second read's is.
    const result = await stack.run(
      ["refresh", "--yes", "--skip-preview", "--parallel", "1", "--event-log", eventLog],
      DEBUG_COMMANDS,
    );
    expect(result.code, result.output).toBe(0);
    const drift = (user: string) =>
      new RegExp(
        `UserPermissions of user 'auth0\\|${user}': refresh found 1 listed permission\\(s\\) missing in Auth0`,
      );
    const events = diagnostics(eventLog).filter((d) => /refresh found/.test(d.message));
    expect(events, result.output).toHaveLength(2);
    const attached = events.filter((d) => d.urn?.includes("::pulumi-nodejs:dynamic/auth0:UserPermissions::"));
    expect(attached, result.output).toHaveLength(1);
    expect(attached[0]!.severity).toBe("warning");
    const name = attached[0]!.urn!.split("::").pop()!;
    const [user, other] = name === "a" ? ["alice", "bob"] : ["bob", "alice"];
    expect(attached[0]!.message).toMatch(drift(user));
    expect(diagnosticsUnder(result.output, `pulumi-nodejs:dynamic/auth0:UserPermissions (${name}):`)).toMatch(
      new RegExp(`warning: ${drift(user).source}`),
    );
    const underStack = diagnosticsUnder(result.output, "pulumi:pulumi:Stack");
    expect(underStack).toMatch(new RegExp(`pulumi-auth0-permissions: warning: ${drift(other).source}`));
    expect(underStack).not.toMatch(drift(user));
    await stack.destroy();
  });
});
