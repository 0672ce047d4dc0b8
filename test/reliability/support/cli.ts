import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { descendants, statusKb } from "../../helpers/process-tree.mjs";
import type { E2eStack } from "../../e2e/support/stack";

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
