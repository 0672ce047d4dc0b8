import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../src/emulator";
import { emulatorTenant } from "../../provider/emulator-tenant";
import { errorMessage } from "../../helpers/handlers";
import { SimulatedEngine, type Declared } from "../support/engine-sim";
import { FULL, record, recordCounts } from "../support/figures";
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
 * Model-based, at provider level: random sequences of program changes, out-of-band edits and
 * `up`s, run by a simulation of the engine's step sequencing over the real handlers, against the
 * emulator over HTTPS. After every `up` the tenant must equal the model exactly.
 */
const CASES = FULL ? 1500 : 300;
const SEED = Number(process.env["RELIABILITY_SEED"] ?? Date.now() % 2 ** 31);

let emulator: RunningEmulator;
const scan = new SecretScan();
beforeAll(async () => {
  emulator = await emulatorTenant({ seed: seedDocument() });
  registerSecret(emulator.clientSecret);
});
afterAll(() => emulator.stop());

export function declaredOf(decl: SlotDecl): Declared {
  const permissions = decl.perms.map(permissionOf);
  return decl.kind === "user"
    ? { name: slotName(decl), kind: "UserPermissions", inputs: { userId: decl.target, permissions } }
    : {
        name: slotName(decl),
        kind: "RolePermissionRemoval",
        inputs: { roleId: decl.target, permissions, restoreOnDelete: decl.restoreOnDelete },
      };
}

const totals = { cases: 0, actions: 0, ups: 0, refreshedUps: 0, oob: 0, checks: 0 };

async function runCase(actions: Action[]): Promise<void> {
  emulator.admin.seed(seedDocument(), { replace: true });
  const model = new Model();
  const engine = new SimulatedEngine();
  const done: string[] = [];
  const fail = (why: string[]): never => {
    throw new Error(`after:\n  ${done.join("\n  ")}\n${why.join("\n")}`);
  };
  const up = async (refresh: boolean): Promise<void> => {
    try {
      await engine.up([...model.program.values()].map(declaredOf), { refresh });
    } catch (error) {
      const errors = error instanceof AggregateError ? error.errors : [error];
      for (const e of errors) scan.add("provider error message", errorMessage(e));
      fail(errors.map(errorMessage));
    }
    model.up(refresh);
    totals.ups++;
    totals.checks++;
    const diff = tenantDiff(model.tenant, tenantOf(emulator));
    if (diff.length > 0) fail(diff);
    if (refresh) {
      totals.refreshedUps++;
      const violations = model.declaredViolations(tenantOf(emulator));
      if (violations.length > 0) fail(violations);
    }
  };
  for (const action of actions) {
    done.push(describeAction(action));
    totals.actions++;
    if (action.type === "up") await up(action.refresh);
    else {
      model.apply(action);
      if (action.type === "oob") {
        applyOob(emulator, action);
        totals.oob++;
      }
    }
  }
  done.push("destroy");
  model.program.clear();
  await up(false);
  totals.cases++;
  for (const [name, count] of Object.entries(engine.steps)) stepTotals[name] = (stepTotals[name] ?? 0) + count;
}
const stepTotals: Record<string, number> = {};

describe("model-based, provider level", () => {
  it(`${CASES} random sequences: after every up the tenant equals the model`, { timeout: 30 * 60_000 }, async () => {
    await fc.assert(fc.asyncProperty(sequenceArb({ maxActions: 20, maxPerms: 6 }), runCase), {
      numRuns: CASES,
      seed: SEED,
    });
    recordCounts("Model-based", {
      "provider level: cases run": totals.cases,
      "provider level: actions (program changes, out-of-band edits, ups)": totals.actions,
      "provider level: ups checked against the model (destroys included)": totals.ups,
      "provider level: of which with refresh (declared grants present and removals absent checked)":
        totals.refreshedUps,
      "provider level: out-of-band edits": totals.oob,
    });
    for (const [name, count] of Object.entries(stepTotals))
      record("Model-based", `provider level: engine steps '${name}'`, count);
    record("Model-based", "provider level: fast-check seed", SEED, "last");
    expect(totals.cases).toBe(CASES);
  });

  it("no secret in any error or the request log", () => {
    scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
