import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { E2eStack, ResourceSpec } from "../../e2e/support/stack";
import { configuredStack } from "../../e2e/support/emulator-stack";
import { FULL, record } from "../support/figures";
import { SCENARIO_SEED, declaredTenant, perm, snapshot, snapshotDiff, type Snapshot } from "../../helpers/tenant";

/**
 * A permission moved between two resources in one `pulumi up`, through the real engine: UserPermissions
 * A drops read:reports for user u1 while B adds it, and RolePermissionRemoval R1 stops removing
 * delete:reports from rol_support while R2 starts. Pulumi runs the updates concurrently; each trial
 * moves both permissions back the other way. After every up the tenant must equal the program exactly
 * (the user keeps read:reports, the role stays without delete:reports), and the final destroy must bring
 * back the seed exactly, so no record of a removal was lost in the moves either.
 */
const TRIALS = Number(process.env["MOVE_TRIALS"] ?? (FULL ? 30 : 4));

const program = (moved: boolean): ResourceSpec[] => [
  {
    kind: "user",
    name: "grant-a",
    id: "auth0|u1",
    permissions: moved ? [perm("export:reports")] : [perm("export:reports"), perm("read:reports")],
  },
  {
    kind: "user",
    name: "grant-b",
    id: "auth0|u1",
    permissions: moved ? [perm("write:reports"), perm("read:reports")] : [perm("write:reports")],
  },
  {
    kind: "role",
    name: "remove-r1",
    id: "rol_support",
    permissions: moved ? [perm("admin:reports")] : [perm("admin:reports"), perm("delete:reports")],
  },
  {
    kind: "role",
    name: "remove-r2",
    id: "rol_support",
    permissions: moved ? [perm("write:reports"), perm("delete:reports")] : [perm("write:reports")],
  },
];

let emulator: RunningEmulator;
let stack: E2eStack;
let seed: Snapshot;
const lost = { grants: 0, removals: 0, other: 0 };

beforeAll(async () => {
  emulator = await startEmulator({ seed: SCENARIO_SEED });
  stack = await configuredStack(emulator);
  seed = snapshot(emulator);
});
afterAll(() => emulator?.stop());

describe("a permission moved between two resources in one pulumi up", () => {
  it(`is never lost, over ${TRIALS} trials, and destroy restores the seed exactly`, async () => {
    await stack.setResources(program(false));
    await stack.up();
    expect(snapshotDiff(declaredTenant(seed, program(false)), snapshot(emulator))).toEqual([]);
    const failures: string[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const moved = trial % 2 === 1;
      await stack.setResources(program(moved));
      await stack.up();
      const diff = snapshotDiff(declaredTenant(seed, program(moved)), snapshot(emulator));
      for (const line of diff) {
        failures.push(`trial ${trial}: ${line}`);
        if (/^user auth0\|u1: missing \[read:reports\]/.test(line)) lost.grants++;
        else if (/^role rol_support: missing \[\], extra \[delete:reports\]/.test(line)) lost.removals++;
        else lost.other++;
      }
      // Put the tenant back as declared so the next trial starts clean, and count on.
      if (diff.length > 0) await stack.up("--refresh");
    }
    await stack.destroy();
    const leftover = snapshotDiff(seed, snapshot(emulator));
    record(
      "Moves",
      "trials (one `pulumi up` moving one grant between two UserPermissions and one removal between two RolePermissionRemovals)",
      TRIALS,
    );
    record("Moves", "grants lost (the user without read:reports after the up)", lost.grants);
    record("Moves", "removals undone (the role with delete:reports back after the up)", lost.removals);
    record("Moves", "other differences from the declared tenant", lost.other);
    record("Moves", "final destroys that did not restore the seed exactly", leftover.length > 0 ? 1 : 0);
    expect(failures).toEqual([]);
    expect(leftover).toEqual([]);
  });
});
