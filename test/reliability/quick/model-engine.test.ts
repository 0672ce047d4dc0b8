import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { E2eStack, ResourceSpec } from "../../e2e/support/stack";
import { configuredStack } from "../../e2e/support/emulator-stack";
import { FULL, record } from "../support/figures";
import {
  Model,
  applyOob,
  describeAction,
  permissionOf,
  seedDocument,
  sequenceArb,
  slotName,
  tenantDiff,
  tenantOf,
  type Action,
  type SlotDecl,
} from "../support/model";
import { SecretScan, describeFindings, registerSecret } from "../support/secrets";

/**
 * Model-based through the real engine: the same random sequences as the provider-level test, fewer
 * and shorter, with every `up` a real `pulumi up` of the packed package (`--refresh` when the
 * action says so), out-of-band edits made in the emulator, and a real `pulumi destroy` at the end.
 */
const CASES = FULL ? 8 : 1;
const MAX_ACTIONS = FULL ? 8 : 4;
const SEED = Number(process.env["RELIABILITY_SEED"] ?? Date.now() % 2 ** 31);

let emulator: RunningEmulator;
let stack: E2eStack;
const scan = new SecretScan();
const totals = { cases: 0, ups: 0, refreshed: 0, oob: 0, actions: 0 };

beforeAll(async () => {
  emulator = await startEmulator({ seed: seedDocument() });
  registerSecret(emulator.clientSecret);
  stack = await configuredStack(emulator);
});
afterAll(() => emulator?.stop());

function specOf(decl: SlotDecl): ResourceSpec {
  const permissions = decl.perms.map(permissionOf);
  return decl.kind === "user"
    ? { kind: "user", name: slotName(decl), id: decl.target, permissions }
    : { kind: "role", name: slotName(decl), id: decl.target, permissions, restoreOnDelete: decl.restoreOnDelete };
}

async function runCase(actions: Action[]): Promise<void> {
  emulator.admin.seed(seedDocument(), { replace: true });
  const model = new Model();
  const done: string[] = [];
  let programChanged = true;
  const check = (refresh: boolean): void => {
    const diff = tenantDiff(model.tenant, tenantOf(emulator));
    if (diff.length > 0) throw new Error(`after:\n  ${done.join("\n  ")}\n${diff.join("\n")}`);
    if (refresh) {
      const violations = model.declaredViolations(tenantOf(emulator));
      if (violations.length > 0) throw new Error(`after:\n  ${done.join("\n  ")}\n${violations.join("\n")}`);
    }
  };
  for (const action of actions) {
    done.push(describeAction(action));
    totals.actions++;
    if (action.type !== "up") {
      model.apply(action);
      if (action.type === "oob") {
        applyOob(emulator, action);
        totals.oob++;
      } else programChanged = true;
      continue;
    }
    if (programChanged) await stack.setResources([...model.program.values()].map(specOf));
    programChanged = false;
    const result = await stack.run(["up", "--yes", "--skip-preview", ...(action.refresh ? ["--refresh"] : [])]);
    if (result.code !== 0) throw new Error(`after:\n  ${done.join("\n  ")}\npulumi up failed:\n${result.output}`);
    model.up(action.refresh);
    totals.ups++;
    if (action.refresh) totals.refreshed++;
    check(action.refresh);
  }
  done.push("pulumi destroy");
  const destroyed = await stack.run(["destroy", "--yes", "--skip-preview"]);
  if (destroyed.code !== 0)
    throw new Error(`after:\n  ${done.join("\n  ")}\npulumi destroy failed:\n${destroyed.output}`);
  model.program.clear();
  model.up(false);
  totals.ups++;
  check(false);
  totals.cases++;
}

describe("model-based, through the real engine", () => {
  it(`${CASES} random sequence(s): after every pulumi up the tenant equals the model`, async () => {
    await fc.assert(fc.asyncProperty(sequenceArb({ maxActions: MAX_ACTIONS, maxPerms: 4 }), runCase), {
      numRuns: CASES,
      seed: SEED,
      // Shrinking would rerun the CLI dozens of times; the failure message already lists every step.
      endOnFailure: true,
    });
    record("Model-based", "real engine: cases run (each ends with pulumi destroy)", totals.cases);
    record("Model-based", "real engine: actions", totals.actions);
    record("Model-based", "real engine: pulumi up/destroy checked against the model", totals.ups);
    record("Model-based", "real engine: of which with --refresh", totals.refreshed);
    record("Model-based", "real engine: out-of-band edits", totals.oob);
    record("Model-based", "real engine: fast-check seed", SEED, "last");
    expect(totals.cases).toBe(CASES);
  });

  it("no secret in state, export, output or the request log", async () => {
    await scan.addStack(stack);
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
