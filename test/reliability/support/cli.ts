import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import type { RunningEmulator } from "../../../src/emulator";
import { E2eStack, type RunResult } from "../../e2e/support/stack";

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

export interface Started {
  readonly pid: number;
  readonly result: Promise<RunResult>;
}

/**
 * Starts `pulumi <args>` for the stack without waiting, so a test can watch the tenant and kill the
 * CLI mid-way. Output lands in the stack's transcript like every other command. With a `wrapper`
 * (e.g. `["strace", ...]`) the wrapper is started with the pulumi command line as its arguments, and
 * `pid` is the wrapper's.
 */
export function startPulumi(
  stack: E2eStack,
  args: string[],
  extraEnv: Record<string, string> = {},
  wrapper: readonly string[] = [],
): Started {
  const env = (stack as unknown as { env: NodeJS.ProcessEnv }).env;
  const command = [...wrapper, "pulumi", ...args, "--non-interactive", "--stack", stack.name];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: stack.dir,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<RunResult>((resolve) =>
    child.on("close", (code, signal) => {
      const output = `${stdout}\n${stderr}`;
      stack.transcript.push(`$ pulumi ${args.join(" ")}\n${output}`);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, output });
    }),
  );
  return { pid: child.pid!, result };
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: string;
}

function processes(): ProcInfo[] {
  const list: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      list.push({ pid: Number(entry), ppid: Number(fields[1]), cmdline });
    } catch {
      // the process exited while we looked
    }
  }
  return list;
}

/** The process and everything it started, transitively (as long as they are still its descendants). */
export function descendants(rootPid: number): ProcInfo[] {
  const all = processes();
  const result: ProcInfo[] = [];
  const frontier = [rootPid];
  const seen = new Set<number>();
  while (frontier.length > 0) {
    const pid = frontier.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const proc of all) {
      if (proc.ppid === pid) {
        result.push(proc);
        frontier.push(proc.pid);
      }
    }
  }
  return result;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
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
      if (!proc.cmdline.includes("dynamic-provider")) continue;
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
