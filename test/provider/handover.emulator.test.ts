import { describe, expect, it } from "vitest";
import type { PartialProgressError } from "../../src/provider/partial-progress";
import type { RolePermissionRemovalState, UserPermissionsState } from "../../src/provider/state";
import { newDeployment, provider } from "./emulator-tenant";
import { SEED_ROLE, p, ps, useMoveTenant, w } from "./move-tenant";
import {
  createRemoval,
  destroyRemoval,
  planUpdate,
  removalInputs,
  removalUpdate,
  updateRemoval,
  type Removal,
} from "./removal-steps";

/**
 * A permission handed over between two RolePermissionRemovals of one role: R1 removed (and recorded)
 * delete:x; one `pulumi up` moves delete:x from R1's list to R2's. When R2's step runs first, R2 finds it
 * already off and records nothing, so R1 keeps it recorded. Then a LATER deployment updates R1 for
 * another reason, with R2 unchanged: delete:x must stay off, and destroying both restores the seed.
 */
const roles = provider("RolePermissionRemoval");
const users = provider("UserPermissions");

const tenant = useMoveTenant();
const { roleHas, userHas } = tenant;

/** The orders in which Pulumi may run the four steps of the move (each plan before its removal). */
const MOVE_ORDERS = {
  "R1 first": async (r1: Removal, r2: Removal, l1: string[], l2: string[]) => {
    const a = await updateRemoval(r1, ps(...l1));
    return [a, await updateRemoval(r2, ps(...l2))] as const;
  },
  "R2 first": async (r1: Removal, r2: Removal, l1: string[], l2: string[]) => {
    const b = await updateRemoval(r2, ps(...l2));
    return [await updateRemoval(r1, ps(...l1)), b] as const;
  },
  "both plans, then R2's removal, then R1's": async (r1: Removal, r2: Removal, l1: string[], l2: string[]) => {
    const plan1 = await planUpdate(r1, ps(...l1));
    const plan2 = await planUpdate(r2, ps(...l2));
    const b = await removalUpdate(r2, plan2);
    return [await removalUpdate(r1, plan1), b] as const;
  },
  concurrent: async (r1: Removal, r2: Removal, l1: string[], l2: string[]) =>
    Promise.all([updateRemoval(r1, ps(...l1)), updateRemoval(r2, ps(...l2))]),
};

const DESTROY_ORDERS = {
  "R1 then R2": async (r1: Removal, r2: Removal) => {
    await destroyRemoval(r1);
    await destroyRemoval(r2);
  },
  "R2 then R1": async (r1: Removal, r2: Removal) => {
    await destroyRemoval(r2);
    await destroyRemoval(r1);
  },
  concurrent: async (r1: Removal, r2: Removal) => {
    await Promise.all([destroyRemoval(r1), destroyRemoval(r2)]);
  },
};

/** R1 keeps delete:x and admin:x off, R2 write:x; then one deployment moves delete:x to R2. */
async function moved(order: keyof typeof MOVE_ORDERS) {
  await tenant.start();
  const r1 = await createRemoval("rol_a", ps("delete:x", "admin:x"));
  const r2 = await createRemoval("rol_a", ps("write:x"));
  await newDeployment();
  const [r1b, r2b] = await MOVE_ORDERS[order](r1, r2, ["admin:x"], ["write:x", "delete:x"]);
  expect(roleHas()).toEqual(["read:x"]);
  return { r1: r1b, r2: r2b };
}

describe("a removal handed over to another, then updated alone for another reason", () => {
  for (const order of Object.keys(MOVE_ORDERS) as (keyof typeof MOVE_ORDERS)[]) {
    it(`keeps it off the role, and every destroy order restores the seed exactly (move: ${order})`, async () => {
      const { r1, r2 } = await moved(order);
      // Recorded exactly once over the two: by R2 when it took it off, else handed over by R1.
      const recordedBy = [r1, r2].filter((r) =>
        r.removal.removedPermissions.some((x) => x.permissionName === "delete:x"),
      );
      expect(recordedBy).toHaveLength(1);
      if (recordedBy[0] === r1) expect(r1.removal.handedOverPermissions).toEqual(ps("delete:x"));
      else expect(r1.removal.handedOverPermissions).toBeUndefined();

      // A later `pulumi up`: R1 also keeps read:x off; R2 is unchanged, so not in this deployment.
      await newDeployment();
      const r1c = await updateRemoval(r1, ps("admin:x", "read:x"));
      expect(roleHas()).toEqual([]);
      // And once more, R1 giving read:x back: still only read:x comes back.
      await newDeployment();
      const r1d = await updateRemoval(r1c, ps("admin:x"));
      expect(roleHas()).toEqual(["read:x"]);

      const before = tenant.emulator.admin.state().roles.filter((r) => r.id === "rol_a");
      for (const [how, destroy] of Object.entries(DESTROY_ORDERS)) {
        await newDeployment();
        await destroy(r1d, r2);
        expect(roleHas(), `destroy ${how}`).toEqual(SEED_ROLE);
        // Back to the tenant as it was before the destroy, for the next order (a delete changes no state).
        tenant.emulator.admin.seed({ roles: before });
        expect(roleHas()).toEqual(["read:x"]);
      }
    });
  }

  it("keeps it recorded when the first removal lists it again", async () => {
    const { r1, r2 } = await moved("R2 first");
    await newDeployment();
    const r1c = await updateRemoval(r1, ps("admin:x", "delete:x"));
    expect(r1c.removal.handedOverPermissions).toBeUndefined();
    expect(r1c.removal.removedPermissions).toEqual(ps("admin:x", "delete:x"));
    expect(roleHas()).toEqual(["read:x"]);
    await newDeployment();
    await destroyRemoval(r2);
    expect(roleHas()).toEqual(["read:x", "write:x"]);
    await destroyRemoval(r1c);
    expect(roleHas()).toEqual(SEED_ROLE);
  });

  it("forgets it once a refresh finds it back on the role, and the removal that keeps it off records it", async () => {
    const { r1, r2 } = await moved("R2 first");
    // Someone puts delete:x back by hand; then `pulumi up --refresh`.
    tenant.emulator.admin.seed({ roles: [{ id: "rol_a", permissions: [w("delete:x"), w("read:x")] }] });
    await newDeployment();
    const plans = provider("RolePermissionRemovalPlan");
    const r1b = {
      plan: (await plans.read("rol_a", r1.plan)).props as Removal["plan"],
      removal: (await roles.read("rol_a", r1.removal)).props as RolePermissionRemovalState,
    };
    expect(r1b.removal.handedOverPermissions).toBeUndefined();
    expect(r1b.removal.removedPermissions).toEqual(ps("admin:x"));
    // R2 sees it as drift; its plan records it, and its update removes it again.
    const plan2 = (await plans.read("rol_a", r2.plan)).props as Removal["plan"];
    const removal2 = (await roles.read("rol_a", r2.removal)).props as RolePermissionRemovalState;
    const r2b = await removalUpdate({ plan: plan2, removal: removal2 }, plan2);
    expect(r2b.removal.removedPermissions).toEqual(ps("delete:x", "write:x"));
    expect(roleHas()).toEqual(["read:x"]);
    await newDeployment();
    await destroyRemoval(r1b);
    expect(roleHas()).toEqual(["admin:x", "read:x"]);
    await destroyRemoval(r2b);
    expect(roleHas()).toEqual(SEED_ROLE);
  });

  it("keeps it handed over when the update that hands it over fails part-way", async () => {
    const emulator = await tenant.start();
    const r1 = await createRemoval("rol_a", ps("delete:x", "admin:x"));
    const r2 = await createRemoval("rol_a", ps("write:x"));
    await newDeployment();
    const r2b = await updateRemoval(r2, ps("write:x", "delete:x"));
    // R1 hands delete:x over and starts keeping read:x off; that DELETE is refused.
    const plan1 = await planUpdate(r1, ps("admin:x", "read:x"));
    emulator.admin.addFault({
      match: { method: "DELETE", path: "/roles/rol_a/permissions$" },
      times: 1,
      response: { status: 403, body: { statusCode: 403, error: "Forbidden", message: "Insufficient scope" } },
    });
    const news = removalInputs("rol_a", ps("admin:x", "read:x"));
    const error = (await roles
      .update("rol_a", r1.removal, { ...news, plannedPermissions: plan1.plannedPermissions })
      .catch((e: unknown) => e)) as PartialProgressError;
    expect(error).toHaveProperty("properties");
    const partial = error.properties as unknown as RolePermissionRemovalState;
    expect(partial.handedOverPermissions).toEqual(ps("delete:x"));
    expect(partial.permissions).not.toContainEqual(p("delete:x"));
    // The next `pulumi up`: R1 finishes its update alone; delete:x stays off.
    await newDeployment();
    const r1c = await removalUpdate({ plan: plan1, removal: partial }, plan1);
    expect(roleHas()).toEqual([]);
    await newDeployment();
    await destroyRemoval(r1c);
    await destroyRemoval(r2b);
    expect(roleHas()).toEqual(SEED_ROLE);
  });
});

describe("a grant moved between two UserPermissions, then the first updated alone for another reason", () => {
  it("stays granted (the new owner records it as listed), and destroying both revokes everything", async () => {
    await tenant.start();
    const a = (await users.create({ userId: "auth0|u", permissions: ps("read:x", "write:x") }))
      .outs as UserPermissionsState;
    const b = (await users.create({ userId: "auth0|u", permissions: ps("admin:x") })).outs as UserPermissionsState;
    await newDeployment();
    // B's step first: its POST of read:x is a no-op, and A's revoke then leaves read:x to B.
    const b2 = (await users.update("auth0|u", b, { userId: "auth0|u", permissions: ps("admin:x", "read:x") }))
      .outs as UserPermissionsState;
    const a2 = (await users.update("auth0|u", a, { userId: "auth0|u", permissions: ps("write:x") }))
      .outs as UserPermissionsState;
    expect(a2.permissions).toEqual(ps("write:x"));
    await newDeployment();
    await users.update("auth0|u", a2, { userId: "auth0|u", permissions: ps("write:x", "delete:x") });
    expect(userHas()).toEqual(["admin:x", "delete:x", "read:x", "write:x"]);
    await newDeployment();
    await users.delete("auth0|u", { ...a2, permissions: ps("delete:x", "write:x") });
    expect(userHas()).toEqual(["admin:x", "read:x"]);
    await users.delete("auth0|u", b2);
    expect(userHas()).toEqual([]);
  });
});
