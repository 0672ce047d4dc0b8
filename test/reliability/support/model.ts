import fc from "fast-check";
import type { RunningEmulator, SeedDocument } from "../../../src/emulator";

/**
 * The model of what the tenant must hold, written from the README's promises alone (not from the
 * library's code), and the random action sequences that exercise it.
 *
 * The program is a set of slots. A user slot is one `UserPermissions`, a role slot one
 * `RolePermissionRemoval`; a slot keeps its resource name, so pointing it at another user or role is
 * a replacement. Each slot draws its permissions from its own share of the universe, so no two
 * resources ever manage the same permission of the same holder (the README's "give each permission
 * one owner"); within that rule, everything is random: targets, lists, restoreOnDelete, out-of-band
 * edits of managed and unmanaged permissions, and `up` with or without refresh.
 */

export const APIS = ["https://api.example.com", "urn:reports|v2"] as const;
export const SCOPES_PER_API = 12;
/** A permission as the model names it: "<api index>:<scope>". */
export type PermId = string;
export const PERMS: PermId[] = APIS.flatMap((_, api) =>
  Array.from({ length: SCOPES_PER_API }, (_, i) => `${api}:s${i}`),
);

export const USERS = ["auth0|alice", "google-oauth2|1077", "auth0|we/ird%20id?x=1", "email|ünïcødé"] as const;
export const ROLES = ["rol_support", "rol_admins", "rol_with/slash"] as const;
export const USER_SLOTS = 2;
export const ROLE_SLOTS = 2;

export function wireOf(perm: PermId): { resource_server_identifier: string; permission_name: string } {
  const [api, scope] = perm.split(":") as [string, string];
  return { resource_server_identifier: APIS[Number(api)]!, permission_name: scope };
}

export function permissionOf(perm: PermId): { resourceServerIdentifier: string; permissionName: string } {
  const wire = wireOf(perm);
  return { resourceServerIdentifier: wire.resource_server_identifier, permissionName: wire.permission_name };
}

export function permIdOf(wire: { resource_server_identifier: string; permission_name: string }): PermId {
  return `${APIS.indexOf(wire.resource_server_identifier as (typeof APIS)[number])}:${wire.permission_name}`;
}

/** The permissions slot `index` of a kind may use: every n-th of the universe. */
export function share(slots: number, index: number): PermId[] {
  return PERMS.filter((_, i) => i % slots === index);
}

export interface UserSlot {
  readonly kind: "user";
  readonly slot: number;
  readonly target: string;
  readonly perms: readonly PermId[];
}
export interface RoleSlot {
  readonly kind: "role";
  readonly slot: number;
  readonly target: string;
  readonly perms: readonly PermId[];
  readonly restoreOnDelete: boolean;
}
export type SlotDecl = UserSlot | RoleSlot;
export const slotName = (decl: { kind: "user" | "role"; slot: number }): string => `${decl.kind}-slot-${decl.slot}`;

export type Action =
  | { readonly type: "declare"; readonly decl: SlotDecl }
  | { readonly type: "drop"; readonly kind: "user" | "role"; readonly slot: number }
  | {
      readonly type: "oob";
      readonly holder: "user" | "role";
      readonly target: string;
      readonly perm: PermId;
      readonly add: boolean;
    }
  | { readonly type: "up"; readonly refresh: boolean };

/** The tenant as sets of permission ids per holder. */
export type Tenant = Map<string, Set<PermId>>;
export const userKey = (id: string): string => `user ${id}`;
export const roleKey = (id: string): string => `role ${id}`;

function initialTenant(): Tenant {
  const tenant: Tenant = new Map();
  // Every holder starts with some permissions nobody declares yet: they must survive everything.
  USERS.forEach((id, i) => tenant.set(userKey(id), new Set(PERMS.filter((_, j) => (j + i) % 5 === 0))));
  ROLES.forEach((id, i) => tenant.set(roleKey(id), new Set(PERMS.filter((_, j) => (j + i) % 2 === 0))));
  return tenant;
}

export function seedDocument(extraClients: SeedDocument["clients"] = []): SeedDocument {
  const tenant = initialTenant();
  return {
    resource_servers: APIS.map((identifier) => ({
      identifier,
      scopes: Array.from({ length: SCOPES_PER_API }, (_, i) => `s${i}`),
    })),
    roles: ROLES.map((id) => ({ id, permissions: [...tenant.get(roleKey(id))!].map(wireOf) })),
    users: USERS.map((user_id) => ({ user_id, permissions: [...tenant.get(userKey(user_id))!].map(wireOf) })),
    clients: extraClients,
  };
}

/** What the stack has recorded for a slot, at the level of the README's semantics. */
interface Deployed {
  readonly decl: SlotDecl;
  /**
   * User slots: the listed permissions (a refresh never narrows them). Role slots: the permissions
   * the state lists as kept off the role (a refresh drops those found back on the role).
   */
  listed: Set<PermId>;
  /** User slots: listed permissions a refresh found missing (drift), until the next update. */
  drifted: Set<PermId>;
  /** Role slots: what the resource removed and will restore. */
  recorded: Set<PermId>;
}

const sameSet = (a: Set<PermId>, b: Set<PermId>): boolean => a.size === b.size && [...a].every((p) => b.has(p));
const minus = (a: Iterable<PermId>, b: Set<PermId>): PermId[] => [...a].filter((p) => !b.has(p));

/**
 * The model: the program as declared, what the stack has deployed, and the tenant as it must be.
 * `up()` applies the README's rules; `oob()` applies an edit made outside Pulumi.
 */
export class Model {
  readonly tenant: Tenant = initialTenant();
  readonly program = new Map<string, SlotDecl>();
  private readonly deployed = new Map<string, Deployed>();
  /** True after an out-of-band edit, until an `up --refresh`. */
  drifted = false;

  apply(action: Action): void {
    switch (action.type) {
      case "declare":
        this.program.set(slotName(action.decl), action.decl);
        return;
      case "drop":
        this.program.delete(slotName(action));
        return;
      case "oob":
        this.oob(action.holder, action.target, action.perm, action.add);
        return;
      case "up":
        this.up(action.refresh);
        return;
    }
  }

  oob(holder: "user" | "role", target: string, perm: PermId, add: boolean): void {
    const set = this.holder(holder, target);
    if (add) set.add(perm);
    else set.delete(perm);
    this.drifted = true;
  }

  private holder(kind: "user" | "role", id: string): Set<PermId> {
    const key = kind === "user" ? userKey(id) : roleKey(id);
    let set = this.tenant.get(key);
    if (!set) this.tenant.set(key, (set = new Set()));
    return set;
  }

  up(refresh: boolean): void {
    if (refresh) {
      for (const d of this.deployed.values()) {
        const present = this.holder(d.decl.kind, d.decl.target);
        // A user's listed permission that is gone is drift; a role's removed permission that is back is drift.
        if (d.decl.kind === "user") d.drifted = new Set(minus(d.listed, present));
        else d.listed = new Set([...d.listed].filter((p) => !present.has(p)));
      }
      this.drifted = false;
    }
    for (const [name, decl] of this.program) {
      const before = this.deployed.get(name);
      if (before && before.decl.target !== decl.target) {
        this.destroy(before); // delete-before-replace
        this.deployed.delete(name);
      }
      const current = this.deployed.get(name);
      if (!current) this.create(name, decl);
      else this.update(current, decl);
    }
    for (const [name, d] of [...this.deployed]) {
      if (!this.program.has(name)) {
        this.destroy(d);
        this.deployed.delete(name);
      }
    }
  }

  private create(name: string, decl: SlotDecl): void {
    const tenant = this.holder(decl.kind, decl.target);
    const recorded = new Set<PermId>();
    for (const p of decl.perms) {
      if (decl.kind === "user") tenant.add(p);
      else if (tenant.delete(p)) recorded.add(p);
    }
    this.deployed.set(name, { decl, listed: new Set(decl.perms), drifted: new Set(), recorded });
  }

  private update(d: Deployed, decl: SlotDecl): void {
    const tenant = this.holder(decl.kind, decl.target);
    const wanted = new Set(decl.perms);
    if (decl.kind === "user") {
      // diff: the listed permissions not known to be missing, against the new list.
      const granted = new Set(minus(d.listed, d.drifted));
      if (sameSet(granted, wanted)) {
        this.deployed.set(slotName(decl), { ...d, decl });
        return;
      }
      for (const p of minus(d.listed, wanted)) tenant.delete(p);
      for (const p of minus(wanted, granted)) tenant.add(p);
      this.deployed.set(slotName(decl), { decl, listed: wanted, drifted: new Set(), recorded: new Set() });
      return;
    }
    const before = d.decl as RoleSlot;
    if (sameSet(d.listed, wanted) && before.restoreOnDelete === decl.restoreOnDelete) {
      this.deployed.set(slotName(decl), { ...d, decl });
      return;
    }
    for (const p of minus(wanted, d.listed)) if (tenant.delete(p)) d.recorded.add(p);
    for (const p of minus(d.recorded, wanted)) {
      if (decl.restoreOnDelete) tenant.add(p);
      d.recorded.delete(p);
    }
    this.deployed.set(slotName(decl), { decl, listed: wanted, drifted: new Set(), recorded: d.recorded });
  }

  private destroy(d: Deployed): void {
    const tenant = this.holder(d.decl.kind, d.decl.target);
    if (d.decl.kind === "user") for (const p of d.listed) tenant.delete(p);
    else if (d.decl.restoreOnDelete) for (const p of d.recorded) tenant.add(p);
  }

  /** The README's promise after a converged `up`: declared grants present, declared removals absent. */
  declaredViolations(actual: Tenant): string[] {
    const problems: string[] = [];
    for (const decl of this.program.values()) {
      const have = actual.get(decl.kind === "user" ? userKey(decl.target) : roleKey(decl.target)) ?? new Set();
      for (const p of decl.perms) {
        if (decl.kind === "user" && !have.has(p))
          problems.push(`${slotName(decl)}: ${decl.target} lacks declared grant ${p}`);
        if (decl.kind === "role" && have.has(p))
          problems.push(`${slotName(decl)}: ${decl.target} still has declared removal ${p}`);
      }
    }
    return problems;
  }
}

/** The emulator's users and roles as model tenant sets (only the holders the model knows). */
export function tenantOf(emulator: RunningEmulator): Tenant {
  const state = emulator.admin.state();
  const tenant: Tenant = new Map();
  for (const user of state.users) {
    if ((USERS as readonly string[]).includes(user.user_id))
      tenant.set(userKey(user.user_id), new Set(user.permissions.map(permIdOf)));
  }
  for (const role of state.roles) {
    if ((ROLES as readonly string[]).includes(role.id))
      tenant.set(roleKey(role.id), new Set(role.permissions.map(permIdOf)));
  }
  return tenant;
}

/** Differences between two tenants, one line per holder, empty when equal. */
export function tenantDiff(expected: Tenant, actual: Tenant): string[] {
  const lines: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(key) ?? new Set<PermId>();
    const have = actual.get(key) ?? new Set<PermId>();
    const missing = [...want].filter((p) => !have.has(p)).sort();
    const extra = [...have].filter((p) => !want.has(p)).sort();
    if (missing.length + extra.length > 0)
      lines.push(`${key}: missing [${missing.join(", ")}], extra [${extra.join(", ")}]`);
  }
  return lines;
}

/** Applies an out-of-band edit to the emulator, as someone using the dashboard would. */
export function applyOob(emulator: RunningEmulator, action: Extract<Action, { type: "oob" }>): void {
  const state = emulator.admin.state();
  if (action.holder === "user") {
    const user = state.users.find((u) => u.user_id === action.target)!;
    const perms = new Set(user.permissions.map(permIdOf));
    if (action.add) perms.add(action.perm);
    else perms.delete(action.perm);
    emulator.admin.seed({ users: [{ user_id: user.user_id, roles: user.roles, permissions: [...perms].map(wireOf) }] });
  } else {
    const role = state.roles.find((r) => r.id === action.target)!;
    const perms = new Set(role.permissions.map(permIdOf));
    if (action.add) perms.add(action.perm);
    else perms.delete(action.perm);
    emulator.admin.seed({
      roles: [{ id: role.id, name: role.name, description: role.description, permissions: [...perms].map(wireOf) }],
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const subsetOf = (items: readonly PermId[], maxLength: number) =>
  fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: Math.min(maxLength, items.length) });

/** Mostly the slot's usual holder (so changes are updates), sometimes another (a replacement). */
const usualTarget = (targets: readonly string[], slot: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(targets[slot % targets.length]!) },
    { weight: 1, arbitrary: fc.constantFrom(...targets) },
  );

export function declareArb(maxPerms: number): fc.Arbitrary<Action> {
  /** The fields every declaration of a slot has: its usual target, and a subset of the slot's share. */
  const slotFields = <K extends "user" | "role">(kind: K, slots: number, targets: readonly string[], slot: number) => ({
    kind: fc.constant(kind),
    slot: fc.constant(slot),
    target: usualTarget(targets, slot),
    perms: subsetOf(share(slots, slot), maxPerms),
  });
  const user = fc
    .integer({ min: 0, max: USER_SLOTS - 1 })
    .chain((slot) => fc.record(slotFields("user", USER_SLOTS, USERS, slot)));
  const role = fc
    .integer({ min: 0, max: ROLE_SLOTS - 1 })
    .chain((slot) => fc.record({ ...slotFields("role", ROLE_SLOTS, ROLES, slot), restoreOnDelete: fc.boolean() }));
  return fc.oneof(user, role).map((decl): Action => ({ type: "declare", decl }));
}

const dropArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    type: fc.constant("drop" as const),
    kind: fc.constant("user" as const),
    slot: fc.integer({ min: 0, max: USER_SLOTS - 1 }),
  }),
  fc.record({
    type: fc.constant("drop" as const),
    kind: fc.constant("role" as const),
    slot: fc.integer({ min: 0, max: ROLE_SLOTS - 1 }),
  }),
);

const oobArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    type: fc.constant("oob" as const),
    holder: fc.constant("user" as const),
    target: fc.constantFrom(...USERS),
    perm: fc.constantFrom(...PERMS),
    add: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("oob" as const),
    holder: fc.constant("role" as const),
    target: fc.constantFrom(...ROLES),
    perm: fc.constantFrom(...PERMS),
    add: fc.boolean(),
  }),
);

const upArb: fc.Arbitrary<Action> = fc.record({ type: fc.constant("up" as const), refresh: fc.boolean() });

/**
 * A sequence of program changes, out-of-band edits and `up`s, always ending with an `up`: then the
 * stack is destroyed by the test (program emptied, one more `up`), which the model checks as well.
 */
export function sequenceArb(options: { maxActions: number; maxPerms: number }): fc.Arbitrary<Action[]> {
  const step = fc.oneof(
    { weight: 4, arbitrary: declareArb(options.maxPerms) },
    { weight: 1, arbitrary: dropArb },
    { weight: 2, arbitrary: oobArb },
    { weight: 3, arbitrary: upArb },
  );
  return fc
    .tuple(fc.array(step, { minLength: 1, maxLength: options.maxActions, size: "max" }), fc.boolean())
    .map(([actions, refresh]): Action[] => [...actions, { type: "up", refresh }]);
}

export function describeAction(action: Action): string {
  switch (action.type) {
    case "declare": {
      const d = action.decl;
      const extra = d.kind === "role" ? ` restoreOnDelete=${d.restoreOnDelete}` : "";
      return `declare ${slotName(d)} -> ${d.target} [${d.perms.join(" ")}]${extra}`;
    }
    case "drop":
      return `drop ${slotName(action)}`;
    case "oob":
      return `out-of-band ${action.add ? "add" : "remove"} ${action.perm} on ${action.holder} ${action.target}`;
    case "up":
      return action.refresh ? "up --refresh" : "up";
  }
}
