import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import type { RunningEmulator } from "../../../src/emulator";
import { descendants, statusKb } from "../../helpers/process-tree.mjs";
import { E2eStack } from "../../e2e/support/stack";

/** The e2e suite's declarative program: resources come from the stack config value `resources`. */
export const PROGRAM = join(__dirname, "..", "..", "e2e", "programs", "declarative");

/**
 * A stack of the declarative program, configured for the emulator in one `pulumi config set-all`
 * (the client secret as a secret; the transcript shows `[value]`), plus tuning keys of this package.
 */
export async function configuredStack(
  emulator: RunningEmulator,
  options: {
    tuning?: Record<string, string>;
    env?: Record<string, string>;
    clientId?: string;
    clientSecret?: string;
    domain?: string;
  } = {},
): Promise<E2eStack> {
  const stack = await E2eStack.create(PROGRAM, {
    caCertPath: emulator.caCertPath!,
    ...(options.env ? { env: options.env } : {}),
  });
  await setConfig(
    stack,
    {
      "auth0:domain": options.domain ?? emulator.domain,
      "auth0:clientId": options.clientId ?? emulator.clientId,
      ...tuningConfig(options.tuning ?? {}),
    },
    { "auth0:clientSecret": options.clientSecret ?? emulator.clientSecret },
  );
  return stack;
}

export function tuningConfig(tuning: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tuning).map(([k, v]) => [`pulumi-auth0-permissions:${k}`, v]));
}

/** `pulumi config set-all`; secret values never reach the transcript. */
export async function setConfig(
  stack: E2eStack,
  plain: Record<string, string>,
  secret: Record<string, string> = {},
): Promise<void> {
  const args = ["config", "set-all"];
  const shown = ["config", "set-all"];
  for (const [k, v] of Object.entries(plain)) {
    args.push("--plaintext", `${k}=${v}`);
    shown.push("--plaintext", `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(secret)) {
    args.push("--secret", `${k}=${v}`);
    shown.push("--secret", `${k}=[value]`);
  }
  if (args.length > 2) await stack.mustRun(args, {}, shown);
}

/** Removes tuning keys (back to the defaults). */
export async function unsetTuning(stack: E2eStack, keys: string[]): Promise<void> {
  for (const key of keys) await stack.run(["config", "rm", `pulumi-auth0-permissions:${key}`]);
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc

export { descendants } from "../../helpers/process-tree.mjs";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

/**
 * Watches the dynamic provider processes below a pulumi CLI (the node process running
 * `@pulumi/pulumi/cmd/dynamic-provider`) and keeps the largest peak resident set (VmHWM) seen.
 */
export function watchProviderMemory(
  rootPid: number,
  intervalMs = 100,
): { stop(): { peakKb: number; processes: number } } {
  let peakKb = 0;
  const seen = new Set<number>();
  const poll = (): void => {
    for (const proc of descendants(rootPid)) {
      if (!proc.argv.some((arg) => arg.includes("dynamic-provider"))) continue;
      seen.add(proc.pid);
      peakKb = Math.max(peakKb, statusKb(proc.pid, "VmHWM") ?? 0, statusKb(proc.pid, "VmRSS") ?? 0);
    }
  };
  const timer = setInterval(poll, intervalMs);
  poll();
  return {
    stop() {
      poll();
      clearInterval(timer);
      return { peakKb, processes: seen.size };
    },
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(intervalMs);
  }
  return condition();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lock files a DIY (file://) backend keeps for a stack while an operation runs. */
export function stackLocks(stack: E2eStack): string[] {
  const dir = join(inject("e2e").workDir, "backend", ".pulumi", "locks", "organization", "e2e-program", stack.name);
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The stack's state file, parsed; undefined before the first deployment. */
export function stateFile(
  stack: E2eStack,
): { checkpoint?: { latest?: { resources?: unknown[]; pending_operations?: unknown[] } } } | undefined {
  try {
    return JSON.parse(stack.stateFileText()) as never;
  } catch {
    return undefined;
  }
}
