import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../src/emulator";
import type { E2eStack } from "../../e2e/support/stack";
import { configuredStack } from "../../e2e/support/emulator-stack";
import { tuningConfig, tuningKey } from "../../helpers/config";
import { startLossyProxy, type LossyProxy } from "./lossy-proxy";
import { SecretScan, registerSecret } from "./secrets";
import { SCENARIO_SEED, type Snapshot } from "../../helpers/tenant";
import type { ResourceSpec } from "../../e2e/support/stack";

/**
 * One emulator and one stack of the declarative program per emulator configuration, shared by the
 * scenarios of a test file, with everything they print and store collected for the secret scan.
 */
export interface Environment {
  readonly emulator: RunningEmulator;
  readonly stack: E2eStack;
  /** With `lossy`: the proxy the stack talks through, and how to make it lose answers to writes. */
  readonly proxy?: LossyProxy;
  /** Loses the answers to the next `count` writes the tenant applies. */
  loseWriteAnswers(count: number): void;
}

export class Environments {
  private readonly envs = new Map<string, Environment & { tuning: Set<string> }>();
  readonly scan = new SecretScan();

  async get(key: string, options: EmulatorOptions = {}, lossy = false): Promise<Environment> {
    let env = this.envs.get(key);
    if (!env) {
      const emulator = await startEmulator({ seed: SCENARIO_SEED, ...options });
      registerSecret(emulator.clientSecret);
      const losing = { remaining: 0, writesSeen: 0 };
      const writes = (): number =>
        emulator.admin.requests().filter((r) => r.path.startsWith("/api/v2/") && r.method !== "GET" && r.status < 300)
          .length;
      const proxy = lossy
        ? await startLossyProxy(Number(emulator.domain.split(":")[1]), () => {
            if (losing.remaining <= 0) return false;
            const seen = writes();
            if (seen <= losing.writesSeen) return false;
            losing.writesSeen = seen;
            losing.remaining--;
            return true;
          })
        : undefined;
      const stack = await configuredStack(emulator, proxy ? { domain: proxy.domain } : {});
      // Through the proxy the domain differs; the token's audience stays the emulator's own.
      if (proxy) await stack.setConfigs({ "auth0:audience": `https://${emulator.domain}/api/v2/` });
      const loseWriteAnswers = (count: number): void => {
        losing.remaining = count;
        losing.writesSeen = writes();
      };
      env = { emulator, stack, tuning: new Set(), loseWriteAnswers, ...(proxy ? { proxy } : {}) };
      this.envs.set(key, env);
    }
    return env;
  }

  /** Sets exactly these tuning keys on the stack; keys set for an earlier scenario are removed. */
  async tune(key: string, tuning: Record<string, string>): Promise<void> {
    const env = this.envs.get(key)!;
    for (const old of env.tuning) {
      if (!(old in tuning)) await env.stack.mustRun(["config", "rm", tuningKey(old)]);
    }
    env.tuning = new Set(Object.keys(tuning));
    await env.stack.setConfigs(tuningConfig(tuning));
  }

  /** Keeps the emulator's request log for the scan, then clears it. */
  clearLog(emulator: RunningEmulator): void {
    this.scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    emulator.admin.clearRequests();
  }

  /** Adds every stack's transcript, state file and export to the scan; stops the emulators. */
  async finish(): Promise<void> {
    for (const { emulator, stack } of this.envs.values()) {
      this.scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
      this.scan.add(`pulumi output of stack ${stack.name}`, stack.transcript.join("\n"));
      try {
        this.scan.add(`state file of stack ${stack.name}`, stack.stateFileText());
        this.scan.add(`stack export of ${stack.name}`, await stack.exportText());
      } catch {
        // a stack that never deployed has no state file
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.envs.values()].map(async (env) => {
        await env.proxy?.stop();
        await env.emulator.stop();
      }),
    );
  }
}

/**
 * What changed between `before` and `actual` that the declared resources do not explain: any
 * change to a permission of a holder that no declared resource lists for that holder. A run that
 * fails half-way may leave part of the declared changes done (or undone); nothing else may move.
 */
export function unexplainedChanges(before: Snapshot, specs: readonly ResourceSpec[], actual: Snapshot): string[] {
  const declared = new Set<string>();
  for (const spec of specs) {
    for (const p of spec.permissions as { permissionName: string }[])
      declared.add(`${spec.kind} ${spec.id}\u0000${p.permissionName}`);
  }
  const problems: string[] = [];
  for (const holder of new Set([...Object.keys(before), ...Object.keys(actual)])) {
    const was = new Set(before[holder] ?? []);
    const now = new Set(actual[holder] ?? []);
    for (const p of now)
      if (!was.has(p) && !declared.has(`${holder}\u0000${p}`)) problems.push(`${holder} gained ${p}`);
    for (const p of was) if (!now.has(p) && !declared.has(`${holder}\u0000${p}`)) problems.push(`${holder} lost ${p}`);
  }
  return problems;
}
