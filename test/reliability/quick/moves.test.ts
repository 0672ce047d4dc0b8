import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { E2eStack, ResourceSpec } from "../../e2e/support/stack";
import { configuredStack } from "../../e2e/support/emulator-stack";
import { FULL, record } from "../support/figures";
import { SCENARIO_SEED, declaredTenant, perm, snapshot, snapshotDiff, type Snapshot } from "../../helpers/tenant";

/**
 * A permission moved between two resources in one `pulumi up`, through the real engine: UserPermissions
 * A drops read:reports for user u1 while B adds it, and RolePermissionRemoval R1 stops removing
 * delete:reports from rol_support while R2 starts. Pulumi runs the updates concurrently. The trials cycle:
 * the move, then a later up that updates only A and R1 for another reason (see `later`), then the move
 * back the other way. After every up the tenant must equal the program exactly
 * (the user keeps read:reports, the role stays without delete:reports), and the final destroy must bring
 * back the seed exactly, so no record of a removal was lost in the moves either.
 */
const TRIALS = Number(process.env["MOVE_TRIALS"] ?? (FULL ? 30 : 4));

/**
 * `later`: the `pulumi up` after a move, which updates only the resources the permission left, for another
 * reason (grant-a also grants audit:reports, remove-r1 also keeps read:reports off), while the new owners
 * are unchanged and so unknown to that deployment's ledger: the moved permissions must stay where they went.
 */
const program = (moved: boolean, later = false): ResourceSpec[] => [
  {
    kind: "user",
    name: "grant-a",
    id: "auth0|u1",
    permissions: moved
      ? [perm("export:reports"), ...(later ? [perm("audit:reports")] : [])]
      : [perm("export:reports"), perm("read:reports")],
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
    permissions: moved
      ? [perm("admin:reports"), ...(later ? [perm("read:reports")] : [])]
      : [perm("admin:reports"), perm("delete:reports")],
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
    // Trials cycle: the move, then a later up of only the resources it left, then the move back.
    for (let trial = 1; trial <= TRIALS; trial++) {
      const moved = trial % 3 !== 0;
      const later = trial % 3 === 2;
      await stack.setResources(program(moved, later));
      await stack.up();
      const diff = snapshotDiff(declaredTenant(seed, program(moved, later)), snapshot(emulator));
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
      "trials (`pulumi up`s cycling: one grant moved between two UserPermissions and one removal between two RolePermissionRemovals; a later up updating only the two they left; the move back)",
      TRIALS,
    );
    record(
      "Moves",
      "of them, later ups updating only the two resources a permission left",
      Math.floor((TRIALS + 1) / 3),
    );
    record("Moves", "grants lost (the user without read:reports after the up)", lost.grants);
    record("Moves", "removals undone (the role with delete:reports back after the up)", lost.removals);
    record("Moves", "other differences from the declared tenant", lost.other);
    record("Moves", "final destroys that did not restore the seed exactly", leftover.length > 0 ? 1 : 0);
    expect(failures).toEqual([]);
    expect(leftover).toEqual([]);
  });
});
