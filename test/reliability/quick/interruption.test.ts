import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { E2eStack, ResourceSpec, RunResult, StartedCommand } from "../../e2e/support/stack";
import type { ProcessInfo } from "../../helpers/process-tree.mjs";
import { configuredStack } from "../../e2e/support/emulator-stack";
import { descendants, isAlive, sleep, stackLocks, stateFile, waitFor } from "../support/cli";
import {
  checkpointPath,
  deleteEmptySidecars,
  emptySidecars,
  isEmptySidecarSymptom,
  sidecarOwner,
} from "../support/file-backend";
import { FULL, record } from "../support/figures";
import { SecretScan, describeFindings, registerSecret } from "../support/secrets";
import {
  SCENARIO_SEED,
  WORKLOAD,
  declaredTenant,
  perm,
  snapshot,
  snapshotDiff,
  type Snapshot,
} from "../../helpers/tenant";

/**
 * `pulumi up` and `pulumi destroy` killed at a random point, then the README's recovery, then
 * `pulumi up`: the tenant must equal the declared state, nothing lost and nothing extra. Then a
 * clean `pulumi destroy` must bring back the seed exactly, which checks that the interrupted run
 * did not lose what a RolePermissionRemoval has to restore: a removal's record is saved by its plan
 * before anything is removed, so no kill may lose it.
 *
 * Where the SIGKILL runs are killed:
 * - at a random number of tenant answers;
 * - right after (0-30 ms) a role's DELETE was answered, before Pulumi could save the removal's result;
 * - (full mode) exactly while Pulumi's file backend rewrites the checkpoint's sidecar
 *   (`<stack>.json.attrs`, see support/file-backend.ts): strace injects SIGKILL into the CLI at its
 *   k-th write to that file, after the file was truncated and before it was written. This is the
 *   kill that makes the stack fail to load ("failed to load checkpoint: EOF"); the run checks that
 *   it does, and that the README's repair (delete the empty sidecar) brings it back, losing nothing.
 *
 * The kinds of kill:
 * - SIGINT to the CLI: Ctrl-C in a terminal (Pulumi starts its plugins in their own process groups,
 *   so only the CLI gets it) or a CI "cancel";
 * - SIGKILL to the CLI and every process below it: a runner or container killed outright;
 * - SIGKILL to the CLI alone: its plugins are orphaned and finish what they were doing.
 *
 * A run that fails (its recovery, its convergence or its final destroy) is counted and fails its
 * test; the next run starts from a reset tenant and a fresh stack, so one failure never hides the
 * runs after it.
 */
type Kill = "SIGINT to the CLI" | "SIGKILL to the whole process tree" | "SIGKILL to the CLI alone";
type Phase = "up (create)" | "up (update)" | "destroy";

const PHASES: Phase[] = ["up (create)", "up (update)", "destroy"];
type Target = "a random answer" | "a role's DELETE" | "a checkpoint save";
const SEED_NUMBER = Number(process.env["RELIABILITY_SEED"] ?? Date.now() % 2 ** 31);

/** The README's recovery for an interrupted run (Troubleshooting). */
const RECOVERY = [
  "find <backend>/.pulumi -name '*.attrs' -size 0 -delete (only after `failed to load checkpoint: EOF`)",
  "pulumi cancel --yes (only when the backend holds a lock)",
  "pulumi refresh --clear-pending-creates --yes",
  "pulumi up --yes",
];

/** The program after the change that the update phase deploys: updates, a replacement, a delete, a create. */
const CHANGED: ResourceSpec[] = [
  { kind: "user", name: "grant-u1", id: "auth0|u1", permissions: [perm("read:reports"), perm("admin:reports")] },
  {
    kind: "user",
    name: "grant-u2",
    id: "auth0|u4",
    permissions: [perm("read:reports"), perm("write:reports"), perm("audit:reports")],
  },
  { kind: "user", name: "grant-u3b", id: "auth0|u3", permissions: [perm("export:reports")] },
  {
    kind: "role",
    name: "remove-support",
    id: "rol_support",
    permissions: [perm("delete:reports"), perm("write:reports")],
  },
  { kind: "role", name: "remove-ops", id: "rol_ops", permissions: [perm("delete:reports"), perm("share:reports")] },
];

/** Deterministic randomness from RELIABILITY_SEED (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let emulator: RunningEmulator;
let stack: E2eStack;
/** Every stack of the series: a fresh one follows each failed run. */
const stacks: E2eStack[] = [];
let seed: Snapshot;
const scan = new SecretScan();
const totals = {
  runs: 0,
  interrupted: 0,
  finishedBeforeKill: 0,
  converged: 0,
  restoredExactly: 0,
  lostRemovalRecord: 0,
  recoveryFailed: 0,
  startedFromReset: 0,
  emptySidecarRuns: 0,
  wouldNotLoad: 0,
  killedAfterRoleDelete: 0,
  killedAtCheckpointSave: 0,
  sigkillDuringRemovalWrites: 0,
  locks: 0,
  pending: 0,
  orphans: 0,
  bySignal: {} as Record<string, number>,
  byPhase: {} as Record<string, number>,
  emptySidecarsByOwner: {} as Record<string, number>,
};

beforeAll(async () => {
  emulator = await startEmulator({ seed: SCENARIO_SEED });
  registerSecret(emulator.clientSecret);
  stack = await configuredStack(emulator);
  stacks.push(stack);
  seed = snapshot(emulator);
});
afterAll(() => emulator?.stop());

const apiCount = () => emulator.admin.requests().filter((r) => r.path.startsWith("/api/v2/")).length;

/** Runs to completion and fails the test with the output when the command fails. */
async function must(args: string[]): Promise<RunResult> {
  const result = await stack.run(args);
  expect(result.code, `pulumi ${args.join(" ")}:\n${result.output}`).toBe(0);
  return result;
}

/** Kills what is still alive of `procs` once the tenant has been quiet for 2 s; returns how many. */
async function reapOrphans(procs: readonly { pid: number }[]): Promise<number> {
  // The orphans finish their in-flight work; once the tenant has been quiet for 2 s they are only
  // idling (they never exit on their own), and a runner would reap them: so do we.
  let last = -1;
  await waitFor(
    () => {
      const count = emulator.admin.requests().length;
      const quiet = count === last;
      last = count;
      return quiet;
    },
    60_000,
    2_000,
  );
  const orphans = procs.filter((proc) => isAlive(proc.pid));
  for (const proc of orphans) {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  return orphans.length;
}

async function kill(pid: number, kind: Kill, done: Promise<RunResult>): Promise<number> {
  const tree = descendants(pid);
  if (kind === "SIGINT to the CLI") {
    process.kill(pid, "SIGINT");
    const exited = await Promise.race([done.then(() => true), sleep(120_000).then(() => false)]);
    if (!exited) throw new Error("pulumi did not exit within 2 minutes of SIGINT");
    return 0;
  }
  if (kind === "SIGKILL to the whole process tree") {
    for (const proc of [{ pid }, ...tree]) {
      try {
        process.kill(proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await done;
    return 0;
  }
  process.kill(pid, "SIGKILL");
  await done;
  return reapOrphans(tree);
}

/**
 * `pulumi <args>` under strace, which sends SIGKILL to the CLI when one of its threads makes its
 * k-th write to the checkpoint's sidecar (after fileblob truncated it, before the write).
 */
function startKilledAtSidecarWrite(args: string[], k: number): StartedCommand {
  const sidecar = `${checkpointPath("e2e-program", stack.name)}.attrs`;
  const strace = ["strace", "-f", "-qq", "-o", "/dev/null", "-P", sidecar, "-e", "trace=write"];
  return stack.start(args, {}, args, [...strace, "-e", `inject=write:signal=KILL:when=${k}`]);
}

/**
 * Waits until strace's SIGKILL ended the CLI (or the command finished), then reaps the CLI's
 * orphaned plugins as for "SIGKILL to the CLI alone". Returns whether the CLI was killed.
 */
async function awaitInjectedKill(
  started: StartedCommand,
  finished: () => boolean,
): Promise<{ killed: boolean; orphans: number }> {
  const seen = new Map<number, ProcessInfo>();
  let cli: number | undefined;
  await waitFor(
    () => {
      for (const proc of descendants(started.pid)) seen.set(proc.pid, proc);
      cli ??= [...seen.values()].find((proc) => proc.argv[0] === "pulumi")?.pid;
      return finished() || (cli !== undefined && !isAlive(cli));
    },
    180_000,
    50,
  );
  if (finished()) return { killed: false, orphans: 0 };
  expect(cli, "strace started no pulumi CLI").toBeDefined();
  const orphans = await reapOrphans([...seen.values()].filter((proc) => proc.pid !== cli));
  const result = await started.result;
  expect(result.output, "strace itself failed").not.toMatch(/^strace: /m);
  // strace ends as its command did: a CLI that finished its command exits 0.
  return { killed: result.code !== 0, orphans: result.code !== 0 ? orphans : 0 };
}

describe("interrupted runs recover with the README's procedure", () => {
  const rand = random(SEED_NUMBER);
  type Run = { kill: Kill; phase: Phase; target: Target; fraction: number; jitterMs: number };
  const at = (kill: Kill, phase: Phase, target: Target): Run => ({
    kill,
    phase,
    target,
    fraction: rand(),
    jitterMs: Math.floor(rand() * 250),
  });
  const plan: Run[] = [];
  if (FULL) {
    // 32 SIGKILLs during the create and the update of removals, both kinds, both targets...
    for (let i = 0; i < 32; i++)
      plan.push(
        at(
          i % 2 === 0 ? "SIGKILL to the whole process tree" : "SIGKILL to the CLI alone",
          Math.floor(i / 2) % 2 === 0 ? "up (create)" : "up (update)",
          Math.floor(i / 4) % 2 === 0 ? "a random answer" : "a role's DELETE",
        ),
      );
    // ...4 exactly while the file backend rewrites the checkpoint's sidecar...
    for (let i = 0; i < 4; i++)
      plan.push(at("SIGKILL to the CLI alone", i % 2 === 0 ? "up (create)" : "up (update)", "a checkpoint save"));
    // ...and every other (kill, phase) pair once more.
    for (const phase of PHASES) plan.push(at("SIGINT to the CLI", phase, "a random answer"));
    plan.push(at("SIGKILL to the whole process tree", "destroy", "a random answer"));
    plan.push(at("SIGKILL to the CLI alone", "destroy", "a random answer"));
  } else {
    plan.push(at("SIGKILL to the whole process tree", "up (create)", "a role's DELETE"));
    plan.push(at("SIGINT to the CLI", "up (update)", "a random answer"));
  }

  /** Set while a run is under way; still set at the next run's start when that run failed. */
  let unfinished = false;

  for (const [index, run] of plan.entries()) {
    it(`run ${index + 1}: ${run.kill} during ${run.phase}, after ${run.target}`, async () => {
      if (unfinished) {
        // The previous run failed (and was counted): its tenant and its stack prove nothing more.
        emulator.admin.reset();
        stack = await configuredStack(emulator);
        stacks.push(stack);
        totals.startedFromReset++;
      }
      unfinished = true;
      // Starting point: the seed, or the first program deployed.
      expect(snapshotDiff(seed, snapshot(emulator))).toEqual([]);
      await stack.setResources(WORKLOAD);
      if (run.phase !== "up (create)") await must(["up", "--yes", "--skip-preview"]);
      const program = run.phase === "up (update)" ? CHANGED : WORKLOAD;
      if (run.phase === "up (update)") await stack.setResources(CHANGED);
      const expected = run.phase === "destroy" ? declaredTenant(seed, WORKLOAD) : declaredTenant(seed, program);

      // Slow every request down so a deployment spans seconds, then kill it after a random number of answers.
      const total = run.phase === "up (create)" ? 7 : run.phase === "up (update)" ? 9 : 5;
      // Never at the very last answer, when the command is about to finish anyway.
      const killAfter = Math.floor(run.fraction * (total - 1));
      emulator.admin.clearRequests();
      emulator.admin.addFault({ match: { path: "^/api/v2/" }, times: 100_000, delay_ms: 400 });
      const args = run.phase === "destroy" ? ["destroy", "--yes", "--skip-preview"] : ["up", "--yes", "--skip-preview"];
      const atSave = run.target === "a checkpoint save";
      // The k-th sidecar write of one of the CLI's threads: 1 to 3.
      const started = atSave ? startKilledAtSidecarWrite(args, 1 + Math.floor(run.fraction * 3)) : stack.start(args);
      let finished = false;
      void started.result.then(() => (finished = true));
      const roleDeletes = () =>
        emulator.admin.requests().filter((r) => r.method === "DELETE" && r.path.startsWith("/api/v2/roles/")).length;
      let orphans = 0;
      let interrupted = false;
      if (atSave) {
        const outcome = await awaitInjectedKill(started, () => finished);
        interrupted = outcome.killed;
        orphans = outcome.orphans;
      } else {
        // The emulator answers in this process: polling every millisecond sees the DELETE's answer
        // before the provider has even returned it to the engine, let alone before the engine saved it.
        const byDelete = run.target === "a role's DELETE";
        await waitFor(
          () => finished || (byDelete ? roleDeletes() > 0 : apiCount() >= killAfter),
          120_000,
          byDelete ? 1 : 20,
        );
        await sleep(byDelete ? run.jitterMs % 30 : run.jitterMs);
        if (!finished) {
          orphans = await kill(started.pid, run.kill, started.result);
          interrupted = true;
        }
      }
      totals.runs++;
      if (!interrupted) totals.finishedBeforeKill++;
      else {
        totals.interrupted++;
        if (run.target === "a role's DELETE") totals.killedAfterRoleDelete++;
        if (atSave) totals.killedAtCheckpointSave++;
        if (run.kill !== "SIGINT to the CLI" && run.phase !== "destroy") totals.sigkillDuringRemovalWrites++;
        totals.bySignal[run.kill] = (totals.bySignal[run.kill] ?? 0) + 1;
        totals.byPhase[run.phase] = (totals.byPhase[run.phase] ?? 0) + 1;
      }
      totals.orphans += orphans;
      await sleep(500);
      emulator.admin.clearFaults();

      try {
        // What the interruption left behind. The checkpoint itself is replaced by a rename, so it
        // always parses; what a kill can leave is an empty sidecar (support/file-backend.ts).
        expect(stateFile(stack), "the checkpoint parses after the kill").toBeDefined();
        const empty = emptySidecars();
        const ownStack = empty.filter((path) => path.includes(stack.name));
        if (empty.length > 0) totals.emptySidecarRuns++;
        for (const path of empty) {
          const owner = sidecarOwner(path);
          totals.emptySidecarsByOwner[owner] = (totals.emptySidecarsByOwner[owner] ?? 0) + 1;
        }
        expect(empty, "only this stack's files were being written").toEqual(ownStack);
        if (ownStack.some((path) => sidecarOwner(path) === "checkpoint")) {
          // The symptom, as a user sees it...
          const exported = await stack.run(["stack", "export"]);
          expect(exported.code, "the stack loads with an empty checkpoint sidecar").not.toBe(0);
          expect(isEmptySidecarSymptom(exported.output), exported.output).toBe(true);
          totals.wouldNotLoad++;
        }
        if (atSave && interrupted)
          expect(ownStack.map(sidecarOwner), "strace killed at the sidecar write").toContain("checkpoint");
        // ...and the README's repair.
        expect(deleteEmptySidecars()).toEqual(empty);

        const locked = stackLocks(stack).some((file) => file.endsWith(".json"));
        const pending = (stateFile(stack)?.checkpoint?.latest?.pending_operations ?? []) as unknown[];
        if (locked) totals.locks++;
        if (pending.length > 0) totals.pending++;
        if (run.kill === "SIGINT to the CLI") expect(locked, "a graceful cancel must release the lock").toBe(false);

        // The README's recovery.
        if (locked) {
          await must(["cancel", "--yes"]);
          expect(stackLocks(stack).filter((file) => file.endsWith(".json"))).toEqual([]);
        }
        await must(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
        await must(["up", "--yes", "--skip-preview"]);
      } catch (error) {
        totals.recoveryFailed++;
        throw error;
      }
      expect(snapshotDiff(expected, snapshot(emulator)), "the next up converges").toEqual([]);
      totals.converged++;

      // And the stack can still be destroyed back to exactly the seed.
      await must(["destroy", "--yes", "--skip-preview"]);
      const leftover = snapshotDiff(seed, snapshot(emulator));
      if (leftover.length === 0) totals.restoredExactly++;
      else totals.lostRemovalRecord++;
      expect(leftover, `destroy left: ${leftover.join("; ")}`).toEqual([]);
      unfinished = false;
    });
  }

  it("figures, and no secret in state, exports, output or the request log", async () => {
    record("Interruption", "runs started", totals.runs);
    record("Interruption", "runs interrupted (killed before the command finished)", totals.interrupted);
    record("Interruption", "runs where the command finished before the kill point", totals.finishedBeforeKill);
    for (const [kill, n] of Object.entries(totals.bySignal)) record("Interruption", `interrupted with ${kill}`, n);
    for (const [phase, n] of Object.entries(totals.byPhase)) record("Interruption", `interrupted during ${phase}`, n);
    record("Interruption", "runs that left the backend locked (then `pulumi cancel`)", totals.locks);
    record("Interruption", "runs that left pending operations in the state", totals.pending);
    record(
      "Interruption",
      "orphaned plugin processes found after SIGKILL to the CLI alone (they do not exit by themselves)",
      totals.orphans,
    );
    record(
      "Interruption",
      "runs converged on the next `pulumi up` (tenant equals declared, nothing lost, nothing extra)",
      totals.converged,
    );
    record("Interruption", "runs whose final destroy restored the seed exactly", totals.restoredExactly);
    record(
      "Interruption",
      "runs whose final destroy could not restore a removal (record lost with the killed create/update)",
      totals.lostRemovalRecord,
    );
    record(
      "Interruption",
      "runs whose recovery failed (each fails its test; the next run starts from a reset tenant and a fresh stack)",
      totals.recoveryFailed,
    );
    record("Interruption", "runs started from a reset tenant and a fresh stack", totals.startedFromReset);
    record(
      "Interruption",
      "runs killed by SIGKILL during the create or update of removals",
      totals.sigkillDuringRemovalWrites,
    );
    record("Interruption", "runs killed 0-30 ms after a role's DELETE was answered", totals.killedAfterRoleDelete);
    record(
      "Interruption",
      "runs killed by SIGKILL (strace) while the file backend rewrote the checkpoint's sidecar",
      totals.killedAtCheckpointSave,
    );
    record(
      "Interruption",
      "runs whose kill left a zero-length sidecar (`.attrs`) in the file backend (deleted, as the README says)",
      totals.emptySidecarRuns,
    );
    for (const [owner, n] of Object.entries(totals.emptySidecarsByOwner))
      record("Interruption", `zero-length sidecars left by a kill: of the ${owner}`, n);
    record(
      "Interruption",
      "runs whose stack would not load before that repair (`failed to load checkpoint: EOF`)",
      totals.wouldNotLoad,
    );
    record("Interruption", "recovery procedure verified", RECOVERY.join("; then "), "last");
    record("Interruption", "kill-point seed", SEED_NUMBER, "last");
    for (const earlier of stacks.slice(0, -1)) scan.add("pulumi output", earlier.transcript.join("\n"));
    await scan.addStack(stack);
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
    expect(totals.converged).toBe(totals.runs);
    expect(totals.recoveryFailed).toBe(0);
    expect(totals.lostRemovalRecord).toBe(0);
  });
});
