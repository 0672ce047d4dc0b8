import { describe, expect, it } from "vitest";
import { permissionsDetailedDiff } from "../../../src/provider/detailed-diff";
import { withDetailedDiff } from "../../../src/provider/detailed-diff-bridge";
import { UNKNOWN_VALUE } from "../../../src/provider/inputs";
import { userPermissionsHandlers } from "../../../src/provider/user-permissions";
import { createRuntime } from "../../../src/provider/runtime";
import { API as RS, perm as p } from "../../helpers/tenant";

const list = (...names: string[]) => names.map(p);
const add = { kind: "add", inputDiff: false };
const del = { kind: "delete", inputDiff: false };
const upd = { kind: "update", inputDiff: false };

describe("the detailed diff of a permission list", () => {
  it("an insertion at the front is one add, at its index in the new list", () => {
    expect(permissionsDetailedDiff(list("b", "c", "d"), list("a", "b", "c", "d"))).toEqual({ "permissions[0]": add });
  });

  it("a removal is one delete, at its index in the old list", () => {
    expect(permissionsDetailedDiff(list("a", "b", "c"), list("a", "c"))).toEqual({ "permissions[1]": del });
  });

  it("a mixed change: adds by new index, deletes by old index; a shared index is one update", () => {
    expect(permissionsDetailedDiff(list("b", "d", "f"), list("a", "b", "e", "f"))).toEqual({
      "permissions[0]": add,
      "permissions[1]": del,
      "permissions[2]": add,
    });
    expect(permissionsDetailedDiff(list("a", "b"), list("c", "d"))).toEqual({
      "permissions[0]": upd,
      "permissions[1]": upd,
    });
  });

  it("a drifted permission still listed counts as added (it is granted again)", () => {
    expect(permissionsDetailedDiff(list("a", "b"), list("a", "b"), [], list("b"))).toEqual({ "permissions[1]": add });
  });

  it("scalar changes are named, a replacing one as updateReplace", () => {
    expect(permissionsDetailedDiff(list("a"), list("a"), [{ property: "userId", replaces: true }])).toEqual({
      userId: { kind: "updateReplace", inputDiff: false },
    });
    expect(permissionsDetailedDiff(list("a"), list("a"))).toBeUndefined();
  });

  it("gives none for an unknown, malformed or non-canonical new list, so the engine shows its own diff", () => {
    expect(permissionsDetailedDiff(list("a"), UNKNOWN_VALUE)).toBeUndefined();
    expect(
      permissionsDetailedDiff(list("a"), [{ resourceServerIdentifier: RS, permissionName: UNKNOWN_VALUE }]),
    ).toBeUndefined();
    expect(permissionsDetailedDiff(list("a"), [{ permission_name: "a" }])).toBeUndefined();
    expect(permissionsDetailedDiff(list("a"), list("b", "a"))).toBeUndefined();
    expect(permissionsDetailedDiff(list("a"), list("a", "a"))).toBeUndefined();
  });
});

describe("the diff handlers", () => {
  it("return the plain DiffResult, carrying the detailed diff apart (not enumerable) for the engine", async () => {
    const config: Record<string, string> = {
      "auth0:domain": "t.auth0.com",
      "auth0:clientId": "i",
      "auth0:clientSecret": "s",
    };
    const users = userPermissionsHandlers(createRuntime({ config: (key) => config[key], env: {} }));
    const olds = { schemaVersion: 1, domain: "t.auth0.com", userId: "auth0|u", permissions: list("b") };
    const result = await users.diff("auth0|u", olds, { userId: "auth0|u", permissions: list("a", "b") });
    expect(result).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    expect((result as { detailedDiff?: unknown }).detailedDiff).toEqual({ "permissions[0]": add });
  });

  it("without changes, or without a detailed diff, the result is returned as it is", () => {
    const result = { changes: false, replaces: [] };
    expect(withDetailedDiff(result, { "permissions[0]": { kind: "add", inputDiff: false } })).toBe(result);
    const changed = { changes: true };
    expect(withDetailedDiff(changed, undefined)).toBe(changed);
  });
});
