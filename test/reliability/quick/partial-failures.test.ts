import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FaultSpec, RunningEmulator } from "../../../src/emulator";
import type { ResourceSpec } from "../../e2e/support/stack";
import { emulatorTenant } from "../../provider/emulator-tenant";
import { errorMessage } from "../../helpers/handlers";
import { SimulatedEngine, type Declared } from "../support/engine-sim";
import { record } from "../support/figures";
import { SCENARIO_SEED, declaredTenant, perm, snapshot, snapshotDiff, type Snapshot } from "../../helpers/tenant";

/**
 * A create or update that fails after part of its work reached the tenant. What was done must be
 * recorded in state (the dynamic provider's partial-state error), or it is lost: a removal that a
 * destroy never restores, a grant that nothing ever revokes. One permission per request
 * (batchSize 1) and no retries make "the second request fails" exact; the engine is simulated
 * over the real handlers, the emulator serves over HTTPS. The real-CLI variants are in faults.test.ts.
 */
let emulator: RunningEmulator;
let seed: Snapshot;
beforeAll(async () => {
  emulator = await emulatorTenant({ seed: SCENARIO_SEED }, { batchSize: "1", maxRetries: "0" });
  seed = snapshot(emulator);
});
beforeEach(() => emulator.admin.reset());
afterAll(() => emulator.stop());

const declared = (spec: ResourceSpec): Declared =>
  spec.kind === "user"
    ? { name: spec.name, kind: "UserPermissions", inputs: { userId: spec.id, permissions: spec.permissions } }
    : {
        name: spec.name,
        kind: "RolePermissionRemoval",
        inputs: { roleId: spec.id, permissions: spec.permissions, restoreOnDelete: spec.restoreOnDelete ?? true },
      };

/** Lets the first matching request through, then fails every later one with a 503. */
function failAfterFirst(method: "POST" | "DELETE", path: string): FaultSpec[] {
  const match = { method, path };
  return [
    { match, times: 1, delay_ms: 1 },
    {
      match,
      times: 1000,
      response: { status: 503, body: { statusCode: 503, error: "Service Unavailable", message: "busy" } },
    },
  ];
}

let cases = 0;
async function scenario(steps: {
  before?: ResourceSpec[];
  failing: ResourceSpec[];
  faults: FaultSpec[];
  error: RegExp;
  next: ResourceSpec[];
}): Promise<void> {
  const engine = new SimulatedEngine();
  if (steps.before) await engine.up(steps.before.map(declared));
  for (const fault of steps.faults) emulator.admin.addFault(fault);
  const failure = await engine.up(steps.failing.map(declared)).then(
    () => undefined,
    (e: AggregateError) => e.errors.map(errorMessage).join("\n"),
  );
  expect(failure).toMatch(steps.error);
  emulator.admin.clearFaults();
  await engine.up(steps.next.map(declared));
  expect(snapshotDiff(declaredTenant(seed, steps.next), snapshot(emulator)), "the next up converges").toEqual([]);
  await engine.destroy();
  expect(snapshotDiff(seed, snapshot(emulator)), "destroy brings back exactly the seed").toEqual([]);
  cases++;
}

const removal = (permissions: string[]): ResourceSpec => ({
  kind: "role",
  name: "removal",
  id: "rol_support",
  permissions: permissions.map(perm),
});
const grant = (permissions: string[]): ResourceSpec => ({
  kind: "user",
  name: "grant",
  id: "auth0|u1",
  permissions: permissions.map(perm),
});

describe("partial failures are recorded, so nothing is lost", () => {
  it("a removal whose create fails after its first DELETE: the next up finishes it, destroy restores both", () =>
    scenario({
      failing: [removal(["delete:reports", "admin:reports"])],
      faults: failAfterFirst("DELETE", "^/api/v2/roles/rol_support/permissions$"),
      error: /Could not remove permissions from role 'rol_support' \(delete:reports on /,
      next: [removal(["delete:reports", "admin:reports"])],
    }));

  it("a removal whose create fails after its first DELETE, then dropped: destroy of what it recorded restores it", () =>
    scenario({
      failing: [removal(["delete:reports", "admin:reports"])],
      faults: failAfterFirst("DELETE", "^/api/v2/roles/rol_support/permissions$"),
      error: /Could not remove permissions from role 'rol_support'/,
      next: [],
    }));

  it("a removal whose update fails after removing the first newly listed permission", () =>
    scenario({
      before: [removal(["delete:reports"])],
      failing: [removal(["delete:reports", "admin:reports", "write:reports"])],
      faults: failAfterFirst("DELETE", "^/api/v2/roles/rol_support/permissions$"),
      error: /Could not remove permissions from role 'rol_support' \(write:reports on /,
      next: [removal(["delete:reports", "admin:reports", "write:reports"])],
    }));

  it("a removal whose update removes one permission and then fails to restore another", () =>
    scenario({
      before: [removal(["delete:reports"])],
      failing: [removal(["admin:reports"])],
      faults: [
        {
          match: { method: "POST", path: "^/api/v2/roles/rol_support/permissions$" },
          times: 1000,
          response: { status: 503, body: { message: "busy" } },
        },
      ],
      error: /Could not add permissions to role 'rol_support' \(delete:reports on /,
      next: [removal(["admin:reports"])],
    }));

  it("a grant whose create fails after its first POST, then dropped: nothing it granted stays", () =>
    scenario({
      failing: [grant(["read:reports", "write:reports"])],
      faults: failAfterFirst("POST", "^/api/v2/users/auth0%7Cu1/permissions$"),
      error: /Could not grant permissions to user 'auth0\|u1' \(write:reports on /,
      next: [],
    }));

  it("a grant whose update fails after its first POST, then dropped: nothing it granted stays", () =>
    scenario({
      before: [grant(["export:reports"])],
      failing: [grant(["read:reports", "write:reports"])],
      faults: failAfterFirst("POST", "^/api/v2/users/auth0%7Cu1/permissions$"),
      error: /Could not grant permissions to user 'auth0\|u1' \(write:reports on /,
      next: [],
    }));

  it("figures", () => {
    record(
      "Faults",
      "provider level: partial failures (a create or update failing after its first request) that lost nothing",
      cases,
    );
  });
});
