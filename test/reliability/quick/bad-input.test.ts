import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { configure, handlers } from "../../../src/provider";
import type { E2eStack, ResourceSpec } from "../../e2e/support/stack";
import { configureForEmulator, configuredStack } from "../../e2e/support/emulator-stack";
import { errorMessage } from "../../helpers/handlers";
import { tuningKey } from "../../helpers/config";
import { FULL, recordCounts } from "../support/figures";
import { SecretScan, describeFindings, registerSecret } from "../support/secrets";
import { API, SCENARIO_SEED, perm, snapshot, snapshotDiff, wire } from "../../helpers/tenant";

/**
 * Malformed input. Everything knowable without the tenant fails `pulumi preview`, naming the
 * problem, and the tenant sees no request at all. What only the tenant knows (an unknown user,
 * role, API or permission, missing scopes) fails `pulumi up` with an error naming the user or role
 * and changes nothing; input that is odd but valid behaves as the README documents.
 *
 * Each case runs twice: through the provider's `check` (every case, in `npm test`) and through the
 * real CLI (all of them in the full run, a few in `npm test`).
 */
type Spec = Omit<ResourceSpec, "id" | "permissions" | "restoreOnDelete"> & {
  id: unknown;
  permissions: unknown;
  restoreOnDelete?: unknown;
};

interface Case {
  readonly name: string;
  readonly quick?: boolean;
  /** The resource to declare (default: a valid grant to auth0|u1). */
  readonly spec?: Spec;
  /** Stack config to set (a value of null removes the key) for this case only. */
  readonly config?: Record<string, string | null>;
  /** Rejected at preview with this message, no request sent. */
  readonly preview?: RegExp;
  /** Passes preview; `pulumi up` fails with this message and changes nothing. */
  readonly up?: RegExp;
  /** Passes preview and up; then this checks the documented result. */
  readonly works?: (emulator: RunningEmulator) => void;
}

const user = (id: unknown, permissions: unknown): Spec => ({ kind: "user", name: "bad", id, permissions });
const role = (id: unknown, permissions: unknown, restoreOnDelete?: unknown): Spec =>
  restoreOnDelete === undefined
    ? { kind: "role", name: "bad", id, permissions }
    : { kind: "role", name: "bad", id, permissions, restoreOnDelete };
const ok = [perm("read:reports")];
const many = (n: number, distinct = n) =>
  Array.from({ length: n }, (_, i) => perm(`p:${String(i % distinct).padStart(4, "0")}`));
const UNICODE_USER = "email|ünïcødé-用户";
const ODD_USER = "auth0|we/ird%20id?x=1&y=#z";
const UNICODE_SCOPE = "lire:rapports-été";

const CASES: Case[] = [
  // ids
  { name: "userId of the wrong type (a number)", spec: user(42, ok), preview: /userId must be a string, got a number/ },
  { name: "empty userId", quick: true, spec: user("", ok), preview: /userId must not be empty/ },
  { name: "userId of white space only", spec: user("   ", ok), preview: /userId must not be only white space/ },
  {
    name: "userId padded with white space",
    spec: user(" auth0|u1 ", ok),
    preview: /userId must not start or end with white space/,
  },
  { name: "userId null", spec: user(null, ok), preview: /userId is required/ },
  {
    name: "userId with a control character",
    spec: user("auth0|u1\nx", ok),
    preview: /userId must not contain control characters/,
  },
  {
    name: "very long userId (2000 characters)",
    spec: user(`auth0|${"x".repeat(1994)}`, ok),
    preview: /userId is 2000 characters long; the maximum is 1024/,
  },
  // A dot segment: any normalizing proxy turns /users/../permissions into another endpoint.
  {
    name: "userId '.'",
    spec: user(".", ok),
    preview: /userId must not be "\.", which a URL path reads as a directory/,
  },
  { name: "userId '..'", spec: user("..", ok), preview: /userId must not be "\.\."/ },
  { name: "roleId '..'", spec: role("..", ok), preview: /roleId must not be "\.\."/ },
  { name: "empty roleId", spec: role("", ok), preview: /roleId must not be empty/ },
  {
    name: "roleId of the wrong type (an object)",
    spec: role({ id: "rol_support" }, ok),
    preview: /roleId must be a string, got a object/,
  },
  // lists
  {
    name: "permissions not a list",
    spec: user("auth0|u1", "read:reports"),
    preview:
      /permissions must be a list of \{ resourceServerIdentifier, permissionName \}, got the string "read:reports"/,
  },
  {
    name: "empty permission list",
    spec: user("auth0|u1", []),
    preview: /permissions must list at least one permission/,
  },
  {
    name: "a permission that is a bare string",
    spec: user("auth0|u1", ["read:reports"]),
    preview: /permissions\[0\] must be an object/,
  },
  {
    name: "a permission that is null",
    spec: role("rol_support", [null]),
    preview: /permissions\[0\] must be an object .*got null/,
  },
  {
    name: "over the cap: 1001 distinct permissions",
    spec: user("auth0|u1", many(1001)),
    preview: /1001 distinct permissions; Auth0 allows at most 1000/,
  },
  {
    name: "huge list: 1200 entries, 1001 distinct",
    spec: role("rol_support", many(1200, 1001)),
    preview: /1001 distinct permissions; Auth0 allows at most 1000/,
  },
  // fields
  {
    name: "empty permissionName",
    spec: user("auth0|u1", [perm("")]),
    preview: /permissions\[0\]\.permissionName must not be empty/,
  },
  {
    name: "permissionName of white space only",
    spec: user("auth0|u1", [perm("  ")]),
    preview: /permissions\[0\]\.permissionName must not be only white space/,
  },
  {
    name: "permissionName with a space inside",
    quick: true,
    spec: role("rol_support", [perm("delete reports")]),
    preview: /permissions\[0\]\.permissionName must not contain white space/,
  },
  {
    name: "permissionName with a newline inside",
    spec: user("auth0|u1", [perm("read:\nreports")]),
    preview: /permissions\[0\]\.permissionName must not contain control characters/,
  },
  {
    name: "permissionName of the wrong type",
    spec: user("auth0|u1", [{ resourceServerIdentifier: API, permissionName: 7 }]),
    preview: /permissions\[0\]\.permissionName must be a string, got a number/,
  },
  {
    name: "missing resourceServerIdentifier",
    spec: user("auth0|u1", [{ permissionName: "read:reports" }]),
    preview: /permissions\[0\]\.resourceServerIdentifier is required/,
  },
  {
    name: "snake_case field names",
    spec: user("auth0|u1", [wire("read:reports")]),
    preview: /permissions\[0\]\.resource_server_identifier is not a permission field.*Use resourceServerIdentifier/,
  },
  {
    name: "an unknown extra field",
    spec: user("auth0|u1", [{ ...perm("read:reports"), description: "x" }]),
    preview: /permissions\[0\]\.description is not a permission field/,
  },
  {
    name: "very long permissionName (300 characters)",
    spec: user("auth0|u1", [perm(`p:${"x".repeat(298)}`)]),
    preview: /permissions\[0\]\.permissionName is 300 characters long; the maximum is 280/,
  },
  {
    name: "very long API identifier (700 characters)",
    spec: user("auth0|u1", [
      { resourceServerIdentifier: `https://${"a".repeat(692)}`, permissionName: "read:reports" },
    ]),
    preview: /permissions\[0\]\.resourceServerIdentifier is 700 characters long; the maximum is 600/,
  },
  {
    name: "restoreOnDelete of the wrong type",
    spec: role("rol_support", [perm("delete:reports")], "yes"),
    preview: /restoreOnDelete must be true or false, got the string "yes"/,
  },
  // configuration
  { name: "missing auth0:domain", config: { "auth0:domain": null }, preview: /auth0:domain is not set/ },
  {
    name: "missing credentials",
    config: { "auth0:clientId": null, "auth0:clientSecret": null },
    preview: /No Auth0 credentials: auth0:clientId is not set/,
  },
  {
    name: "auth0:domain that is a URL with a path",
    config: { "auth0:domain": "https://tenant.auth0.com/api/v2" },
    preview: /auth0:domain must be a host name/,
  },
  {
    // Node's URL parser reads '\' as '/': the client secret would go to 'attacker'.
    name: "auth0:domain with a backslash (attacker:443\\tenant)",
    quick: true,
    config: { "auth0:domain": "attacker:443\\tenant.eu.auth0.com" },
    preview: /auth0:domain must be a host name .* it may hold only letters, digits, '-', '\.' and one :port/,
  },
  {
    name: "auth0:domain with a port out of range",
    config: { "auth0:domain": "tenant.eu.auth0.com:99999" },
    preview: /auth0:domain must be a host name .* port 99999 is out of range/,
  },
  {
    name: "auth0:domain with user info (user@host)",
    config: { "auth0:domain": "user@attacker.example" },
    preview: /auth0:domain must be a host name/,
  },
  {
    name: "a negative maxRetries",
    config: { [tuningKey("maxRetries")]: "-1" },
    preview: /pulumi-auth0-permissions:maxRetries must be an integer >= 0, got "-1"/,
  },
  {
    name: "a batchSize over the cap",
    config: { [tuningKey("batchSize")]: "5000" },
    preview: /pulumi-auth0-permissions:batchSize must be at most 1000/,
  },
  // only the tenant knows: a clear error at up, nothing changed
  {
    name: "unknown user",
    quick: true,
    spec: user("auth0|nobody", ok),
    up: /Could not grant permissions to user 'auth0\|nobody' \(read:reports on https:\/\/api\.example\.com\): Auth0 answered 404: "The user does not exist\."/,
  },
  {
    name: "unknown role",
    spec: role("rol_nobody", [perm("delete:reports")]),
    up: /Could not list the permissions of role 'rol_nobody': Auth0 answered 404: "The role does not exist\."/,
  },
  {
    name: "unknown API",
    spec: user("auth0|u1", [{ resourceServerIdentifier: "https://no-such-api", permissionName: "read:reports" }]),
    up: /Could not grant permissions to user 'auth0\|u1' \(read:reports on https:\/\/no-such-api\): Auth0 answered 404: "The resource server does not exist/,
  },
  {
    name: "unknown permission name (case differs)",
    spec: user("auth0|u1", [perm("Read:Reports")]),
    up: /Could not grant permissions to user 'auth0\|u1' \(Read:Reports on https:\/\/api\.example\.com\): Auth0 answered 400/,
  },
  {
    name: "grants past Auth0's cap of 1000 on the user",
    spec: user("auth0|full", [perm("read:reports"), perm("export:reports")]),
    up: /Could not grant permissions to user 'auth0\|full' .*Auth0 answered 400: "No more permissions can be assigned to this user/,
  },
  {
    name: "credentials without the update scopes",
    config: { "auth0:clientId": "read-only-client" },
    spec: user("auth0|u1", ok),
    up: /Could not grant permissions to user 'auth0\|u1' \(read:reports on https:\/\/api\.example\.com\): Auth0 answered 403: "Insufficient scope, expected any of: update:users" \(errorCode insufficient_scope\).*Grant the application the Management API scopes update:users and update:roles/,
  },
  // odd but valid: documented behaviour
  {
    name: "duplicates in the list are granted once",
    spec: user("auth0|u1", [perm("read:reports"), perm("read:reports"), perm("export:reports"), perm("read:reports")]),
    works: (e) => {
      expect(snapshot(e)["user auth0|u1"]).toEqual(["export:reports", "read:reports", "unrelated:thing"]);
      expect(e.admin.requests().filter((r) => r.method === "POST" && r.path.startsWith("/api/v2/"))).toHaveLength(1);
    },
  },
  {
    name: "unicode in ids and permission names",
    spec: user(UNICODE_USER, [perm(UNICODE_SCOPE)]),
    works: (e) => expect(snapshot(e)[`user ${UNICODE_USER}`]).toEqual([UNICODE_SCOPE]),
  },
  {
    name: "a user id containing | / % ? & #",
    spec: user(ODD_USER, [perm("read:reports")]),
    works: (e) => {
      expect(snapshot(e)[`user ${ODD_USER}`]).toEqual(["read:reports"]);
      expect(
        e.admin.requests().some((r) => r.path === `/api/v2/users/${encodeURIComponent(ODD_USER)}/permissions`),
      ).toBe(true);
    },
  },
  {
    name: "a removal of permissions the role does not have records nothing (README: declare instead of import)",
    spec: role("rol_support", [perm("share:reports"), perm("audit:reports")]),
    works: (e) => {
      expect(snapshot(e)["role rol_support"]).toEqual([
        "admin:reports",
        "delete:reports",
        "read:reports",
        "write:reports",
      ]);
      expect(e.admin.requests().filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2/"))).toEqual([]);
    },
  },
  {
    name: "a removal naming a permission no API defines removes nothing and says nothing (a typo keeps the real one)",
    spec: role("rol_support", [perm("delete:report")]),
    works: (e) => expect(snapshot(e)["role rol_support"]).toContain("delete:reports"),
  },
];

const READ_ONLY = {
  client_id: "read-only-client",
  client_secret: "read-only-secret-4f9b2c7e1d",
  scopes: ["read:users", "read:roles"],
};
const FULL_USER = {
  user_id: "auth0|full",
  permissions: Array.from({ length: 999 }, (_, i) => wire(`p:${String(i).padStart(4, "0")}`)),
};

let emulator: RunningEmulator;
const scan = new SecretScan();
beforeAll(async () => {
  emulator = await startEmulator({
    seed: {
      ...SCENARIO_SEED,
      resource_servers: [
        {
          ...SCENARIO_SEED.resource_servers![0]!,
          scopes: [
            ...(SCENARIO_SEED.resource_servers![0]!.scopes ?? []),
            UNICODE_SCOPE,
            ...FULL_USER.permissions.map((p) => p.permission_name),
          ],
        },
      ],
      users: [...SCENARIO_SEED.users!, { user_id: UNICODE_USER }, { user_id: ODD_USER }, FULL_USER],
      clients: [READ_ONLY],
    },
  });
  registerSecret(emulator.clientSecret);
  registerSecret(READ_ONLY.client_secret);
});
afterAll(() => emulator?.stop());

const tally = { tried: 0, rejectedAtPreview: 0, failedClearlyAtUp: 0, documented: 0 };

describe("bad input through the provider's check (every case)", () => {
  const baseConfig = (): Record<string, string> => ({
    "auth0:domain": emulator.domain,
    "auth0:clientId": emulator.clientId,
    "auth0:clientSecret": emulator.clientSecret,
  });
  for (const c of CASES) {
    it(c.name, async () => {
      const config: Record<string, string | null> = { ...baseConfig(), ...(c.config ?? {}) };
      await configure({ config: { get: (key) => config[key] ?? undefined } });
      const spec = c.spec ?? user("auth0|u1", ok);
      const news: Record<string, unknown> =
        spec.kind === "user"
          ? { userId: spec.id, permissions: spec.permissions }
          : { roleId: spec.id, permissions: spec.permissions };
      if (spec.restoreOnDelete !== undefined) news["restoreOnDelete"] = spec.restoreOnDelete;
      emulator.admin.clearRequests();
      const outcome = await handlers(spec.kind === "user" ? "UserPermissions" : "RolePermissionRemoval")
        .check({}, news)
        .then((result) => (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n"), errorMessage);
      if (c.preview) expect(outcome).toMatch(c.preview);
      else expect(outcome).toBe("");
      expect(emulator.admin.requests()).toEqual([]);
      scan.add("check failure", outcome);
    });
  }
});

describe("bad input through the real CLI", () => {
  let stack: E2eStack;
  const cases = FULL ? CASES : CASES.filter((c) => c.quick);
  beforeAll(async () => {
    stack = await configuredStack(emulator);
  });

  for (const c of cases) {
    it(c.name, async () => {
      tally.tried++;
      const before = snapshot(emulator);
      if (c.config) {
        for (const [key, value] of Object.entries(c.config)) {
          if (value === null) await stack.mustRun(["config", "rm", key]);
          else if (key === "auth0:clientId" && value === READ_ONLY.client_id)
            await stack.setConfigs({ [key]: value }, { "auth0:clientSecret": READ_ONLY.client_secret });
          else await stack.setConfigs({ [key]: value });
        }
      }
      try {
        await stack.setResources([(c.spec ?? user("auth0|u1", ok)) as ResourceSpec]);
        emulator.admin.clearRequests();
        const preview = await stack.preview();
        scan.add("pulumi preview output", preview.output);
        if (c.preview) {
          expect(preview.code, preview.output).not.toBe(0);
          expect(preview.output).toMatch(c.preview);
          // The engine prints no `property <p> value {<nil>}` and no echo of the input, whatever its size.
          expect(preview.output).not.toMatch(/value \{/);
          expect(preview.output.length, "a short message").toBeLessThan(4000);
          expect(emulator.admin.requests(), "nothing is sent for input known to be invalid").toEqual([]);
          tally.rejectedAtPreview++;
          return;
        }
        expect(preview.code, preview.output).toBe(0);
        expect(emulator.admin.requests(), "preview sends nothing").toEqual([]);
        const up = await stack.run(["up", "--yes", "--skip-preview"]);
        scan.add("pulumi up output", up.output);
        if (c.up) {
          expect(up.code, up.output).not.toBe(0);
          expect(up.output).toMatch(c.up);
          expect(snapshotDiff(before, snapshot(emulator)), "a refused request changes nothing").toEqual([]);
          tally.failedClearlyAtUp++;
        } else {
          expect(up.code, up.output).toBe(0);
          c.works!(emulator);
          tally.documented++;
        }
        await stack.destroy();
        expect(snapshotDiff(before, snapshot(emulator)), "destroy leaves the tenant as it was").toEqual([]);
      } finally {
        scan.add("emulator request log", JSON.stringify(emulator.admin.requests()));
        if (c.config) {
          // Back to the stack's own configuration: the emulator's credentials (the secret as a secret), no tuning.
          for (const key of Object.keys(c.config))
            if (key.startsWith(tuningKey(""))) await stack.run(["config", "rm", key]);
          await configureForEmulator(stack, emulator);
        }
      }
    });
  }

  it("figures, and no secret in any output, error, state or request log", async () => {
    recordCounts("Bad input", {
      "malformed inputs in the table": CASES.length,
      "of which knowable at preview": CASES.filter((c) => c.preview).length,
      "checked through the provider's check, with no request sent": CASES.length,
      "tried through the real CLI": tally.tried,
      "rejected at `pulumi preview`, naming the problem, with no request sent": tally.rejectedAtPreview,
      "failed at `pulumi up` with an error naming the user or role, tenant unchanged": tally.failedClearlyAtUp,
      "odd but valid, behaving as documented": tally.documented,
    });
    scan.add("pulumi output", stack.transcript.join("\n"));
    try {
      scan.add("state file", stack.stateFileText());
      scan.add("stack export", await stack.exportText());
    } catch {
      // never deployed
    }
    const findings = scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});
