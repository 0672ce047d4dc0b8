import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { driftWarning, MAX_NAMED } from "../../../src/provider/drift-warning";
import { permissionPage, useNockedHandlers } from "../../helpers/nock";
import { API as RS, perm as p } from "../../helpers/tenant";

const DOMAIN = "drift.test.auth0.com";
const BASE = `https://${DOMAIN}`;
const page = (...names: string[]) => permissionPage(names);

const { users, roles } = useNockedHandlers(DOMAIN);
let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("the drift warning of a refresh", () => {
  it("names the permissions a UserPermissions refresh found missing, and says what the next up does", async () => {
    nock(BASE).get("/api/v2/users/auth0%7Cu1/permissions").query(true).reply(200, page("a"));
    const state = { schemaVersion: 1, domain: DOMAIN, userId: "auth0|u1", permissions: [p("a"), p("b"), p("c")] };
    const read = await users.read("auth0|u1", state);
    expect(read.props?.["driftedPermissions"]).toEqual([p("b"), p("c")]);
    expect(stderr.join("")).toBe(
      "pulumi-auth0-permissions: warning: UserPermissions of user 'auth0|u1': refresh found 2 listed permission(s) " +
        `missing in Auth0 (driftedPermissions): b on ${RS}, c on ${RS}. The next \`pulumi up\` grants them again.\n`,
    );
  });

  it("names the permissions a RolePermissionRemoval refresh found back on the role", async () => {
    nock(BASE).get("/api/v2/roles/rol_1/permissions").query(true).reply(200, page("a", "other"));
    const state = {
      schemaVersion: 1,
      domain: DOMAIN,
      roleId: "rol_1",
      permissions: [p("a"), p("b")],
      restoreOnDelete: true,
      removedPermissions: [p("a"), p("b")],
      removedAt: "2026-11-01T00:00:00.000Z",
    };
    await roles.read("rol_1", state);
    expect(stderr.join("")).toBe(
      "pulumi-auth0-permissions: warning: RolePermissionRemoval of role 'rol_1': refresh found 1 listed permission(s) " +
        `back on the role: a on ${RS}. The next \`pulumi up\` removes them again.\n`,
    );
  });

  it("says nothing when nothing drifted", async () => {
    nock(BASE).get("/api/v2/users/auth0%7Cu1/permissions").query(true).reply(200, page("a"));
    await users.read("auth0|u1", { schemaVersion: 1, domain: DOMAIN, userId: "auth0|u1", permissions: [p("a")] });
    expect(stderr).toEqual([]);
  });

  it("stays short however many drifted: names the first ten and counts the rest", () => {
    const drifted = Array.from({ length: 1000 }, (_, i) => p(`s${String(i).padStart(4, "0")}`));
    const warning = driftWarning("UserPermissions of user 'u'", drifted, "missing in Auth0", "grants them again");
    expect(warning).toContain(`s${String(MAX_NAMED - 1).padStart(4, "0")} on ${RS} and ${1000 - MAX_NAMED} more.`);
    expect(warning!.length).toBeLessThan(600);
    expect(driftWarning("x", [], "missing", "grants")).toBeUndefined();
  });
});
