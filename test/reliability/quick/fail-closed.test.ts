import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FaultSpec, RunningEmulator } from "../../../src/emulator";
import {
  configureDeployment,
  emulatorTenant,
  newDeployment,
  provider,
  providerConfig,
} from "../../provider/emulator-tenant";
import { record } from "../support/figures";
import { SCENARIO_SEED, perm, snapshot, snapshotDiff, wire, type Snapshot } from "../../helpers/tenant";

/**
 * Fail-open cases, tried the way an attacker or an unlucky network would: answers that are not
 * Auth0's "does not exist", malformed state, a domain that parses differently, pages that do not
 * add up. Each used to end in a success without the effect (or a request built from garbage); each
 * must now fail with an error naming what was wrong, leave the tenant exactly as it was, and, for
 * state and configuration, send nothing at all. Through the provider's handlers over HTTPS, with the
 * emulator's faults; the real-CLI variants are in test/e2e/fail-closed.test.ts.
 */
const users = provider("UserPermissions");
const roles = provider("RolePermissionRemoval");
const STRAY_404 = { statusCode: 404, error: "Not Found", message: "Not Found" };
const stray = (method: string | undefined, path = "/permissions$", times = 1): FaultSpec => ({
  match: method === undefined ? { path } : { method, path },
  times,
  response: { status: 404, body: STRAY_404 },
});
const BIG = Array.from({ length: 120 }, (_, i) => `big:${String(i).padStart(3, "0")}`);
const TENANT = {
  ...SCENARIO_SEED,
  resource_servers: [
    { ...SCENARIO_SEED.resource_servers![0]!, scopes: [...SCENARIO_SEED.resource_servers![0]!.scopes!, ...BIG] },
  ],
  roles: [...SCENARIO_SEED.roles!, { id: "rol_big", permissions: [...BIG, "delete:reports"].map(wire) }],
};
const firstPage = { permissions: BIG.slice(0, 100).map(wire), start: 0, limit: 100 };

interface Case {
  readonly name: string;
  /** Faults to add, or a stack config change, before the step. */
  readonly faults?: FaultSpec[];
  readonly domain?: string;
  /** The step; `state` is the resource's real state, as the previous step recorded it. */
  readonly step: (state: StateOf) => Promise<unknown>;
  readonly fails: RegExp;
  /** True when the step must not send a single request (state and configuration are checked first). */
  readonly noRequest?: boolean;
}

interface StateOf {
  user: Record<string, unknown>;
  role: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: "refresh: a proxy's 404 to the user's list (used to drop the resource from state)",
    faults: [stray("GET")],
    step: (s) => users.read("auth0|u1", s.user),
    fails:
      /Auth0 answered 404: Not Found about user 'auth0\|u1', but GET \/api\/v2\/users\/auth0%7Cu1 shows the user exists/,
  },
  {
    name: "destroy: a proxy's 404 to the revoke (used to report deleted; the user kept every permission)",
    faults: [stray("DELETE")],
    step: (s) => users.delete("auth0|u1", s.user),
    fails: /shows the user exists, so that was not Auth0's "user does not exist"/,
  },
  {
    name: "destroy: a wrong custom domain, every path answering 404",
    faults: [stray(undefined, "^/api/v2/", 10)],
    step: (s) => users.delete("auth0|u1", s.user),
    fails: /GET \/api\/v2\/users\/auth0%7Cu1 answered 404: Not Found, which is not Auth0's answer for a missing user/,
  },
  {
    name: "destroy: a proxy's 404 to a removal's restore (used to skip the restore)",
    faults: [stray("POST")],
    step: (s) => roles.delete("rol_big", s.role),
    fails: /shows the role exists/,
  },
  {
    name: "refresh: a role 404 that looks like Auth0's but carries an errorCode",
    faults: [
      {
        match: { method: "GET" },
        times: 2,
        response: { status: 404, body: { ...STRAY_404, message: "The role does not exist.", errorCode: "x" } },
      },
    ],
    step: (s) => roles.read("rol_big", s.role),
    fails: /which is not Auth0's answer for a missing role/,
  },
  {
    name: "destroy: state without userId (used to send /users/undefined/... and report nothing to revoke)",
    step: (s) => users.delete("auth0|u1", { ...s.user, userId: undefined }),
    fails: /UserPermissions 'auth0\|u1' has malformed state: userId must be a non-empty string, got nothing/,
    noRequest: true,
  },
  {
    name: "destroy: state with userId null",
    step: (s) => users.delete("auth0|u1", { ...s.user, userId: null }),
    fails: /userId must be a non-empty string, got null/,
    noRequest: true,
  },
  {
    name: 'destroy: permissions a string (used to send DELETE {"permissions":[{}]})',
    step: (s) => users.delete("auth0|u1", { ...s.user, permissions: "read:reports" }),
    fails: /permissions must be a list of \{ resourceServerIdentifier, permissionName \}, got the string/,
    noRequest: true,
  },
  {
    name: "refresh: schemaVersion a string (used to be read as version 1)",
    step: (s) => users.read("auth0|u1", { ...s.user, schemaVersion: "1" }),
    fails: /schemaVersion must be a whole number from 1, got the string "1"/,
    noRequest: true,
  },
  {
    name: "refresh: state without domain (used to skip the tenant guard)",
    step: (s) => users.read("auth0|u1", { ...s.user, domain: undefined }),
    fails: /domain must be a non-empty string/,
    noRequest: true,
  },
  {
    name: "destroy: a removal without removedPermissions",
    step: (s) => roles.delete("rol_big", { ...s.role, removedPermissions: undefined }),
    fails: /removedPermissions must be a list/,
    noRequest: true,
  },
  {
    name: 'destroy: restoreOnDelete the string "false"',
    step: (s) => roles.delete("rol_big", { ...s.role, restoreOnDelete: "false" }),
    fails: /restoreOnDelete must be true or false/,
    noRequest: true,
  },
  {
    name: "destroy with auth0:domain attacker:443\\tenant (refresh and destroy never call check)",
    domain: "attacker:443\\tenant.eu.auth0.com",
    step: (s) => users.delete("auth0|u1", s.user),
    fails: /auth0:domain must be a host name/,
    noRequest: true,
  },
  {
    name: "refresh with auth0:domain port 99999 (used to crash with TypeError: Invalid URL)",
    domain: "tenant.eu.auth0.com:99999",
    step: (s) => users.read("auth0|u1", s.user),
    fails: /port 99999 is out of range/,
    noRequest: true,
  },
  {
    name: "removal: a full page next to total 0 (used to 'succeed' with the permission still on the role)",
    faults: [
      { match: { method: "GET", path: "/permissions$" }, response: { status: 200, body: { ...firstPage, total: 0 } } },
    ],
    step: () => roles.create({ roleId: "rol_big", permissions: [perm("delete:reports")], restoreOnDelete: true }),
    fails: /the pages of the list disagree \(100 entries were listed but total says 0/,
  },
  {
    name: "removal: the same page served twice (used to 'succeed' with the permission still on the role)",
    faults: [
      {
        match: { method: "GET", path: "/permissions$" },
        times: 2,
        response: { status: 200, body: { ...firstPage, total: 200 } },
      },
    ],
    step: () => roles.create({ roleId: "rol_big", permissions: [perm("delete:reports")], restoreOnDelete: true }),
    fails: /was listed twice/,
  },
  {
    name: "removal: an empty page while total says more",
    faults: [
      {
        match: { method: "GET", path: "/permissions$" },
        response: { status: 200, body: { ...firstPage, total: 121 } },
      },
      {
        match: { method: "GET", path: "/permissions$" },
        response: { status: 200, body: { permissions: [], total: 121 } },
      },
    ],
    step: () => roles.create({ roleId: "rol_big", permissions: [perm("delete:reports")], restoreOnDelete: true }),
    fails: /an empty page after 100 entries, but total says 121/,
  },
];

let emulator: RunningEmulator;
let config: Record<string, string>;
let states: StateOf;
let before: Snapshot;
const tally = { tried: 0, failedClearly: 0, noRequest: 0 };

beforeAll(async () => {
  emulator = await emulatorTenant({ seed: TENANT }, { maxRetries: "0" });
  config = providerConfig(emulator, { maxRetries: "0" });
});
afterAll(() => emulator.stop());
beforeEach(async () => {
  emulator.admin.reset();
  await configureDeployment((key) => config[key]);
  // Real state, as a `pulumi up` records it: a grant to auth0|u1, and a removal of delete:reports from rol_big.
  const user = await users.create({ userId: "auth0|u1", permissions: [perm("read:reports"), perm("export:reports")] });
  const role = await roles.create({ roleId: "rol_big", permissions: [perm("delete:reports")], restoreOnDelete: true });
  states = { user: user.outs as Record<string, unknown>, role: role.outs as Record<string, unknown> };
  if (!(states.role["removedPermissions"] as unknown[]).length) throw new Error("the removal recorded nothing");
  before = snapshot(emulator);
  // Each case is a later `pulumi` run (refresh, destroy): a provider process of its own, which knows
  // nothing of what the set-up deployment granted (src/provider/deployment-ledger.ts).
  await newDeployment();
});

describe("fail-open cases: each fails, names what was wrong, and changes nothing", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      tally.tried++;
      if (c.name.startsWith("removal:")) {
        await roles.delete("rol_big", states.role);
        before = snapshot(emulator);
      }
      for (const fault of c.faults ?? []) emulator.admin.addFault(fault);
      if (c.domain !== undefined) {
        const domain = c.domain;
        await configureDeployment((key) => (key === "auth0:domain" ? domain : config[key]));
      }
      emulator.admin.clearRequests();
      const outcome = await c.step(states).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, message: error instanceof Error ? error.message : String(error) }),
      );
      const requests = emulator.admin.requests().length;
      emulator.admin.clearFaults();
      expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
      const message = outcome.ok ? "" : outcome.message;
      expect(message).toMatch(c.fails);
      expect(snapshotDiff(before, snapshot(emulator)), "the tenant is unchanged").toEqual([]);
      if (c.noRequest) {
        expect(requests, "nothing is sent").toBe(0);
        tally.noRequest++;
      }
      tally.failedClearly++;
      const shown = message.length > 170 ? `${message.slice(0, 170)}…` : message;
      record(
        "Fail closed",
        c.name,
        `failed with "${shown}"${c.noRequest ? "; no request sent" : ""}; tenant unchanged`,
        "last",
      );
    });
  }

  it("figures", () => {
    record("Fail closed", "fail-open cases tried", tally.tried);
    record("Fail closed", "failed with a clear error, tenant unchanged", tally.failedClearly);
    record("Fail closed", "of which failed before sending any request (state, configuration)", tally.noRequest);
  });
});
