import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkPage, encodePathSegment, holderPath, permissionsPath } from "../../../src/client/permissions-api";
import { Auth0PermissionsError, UnrecognizedAnswerError } from "../../../src/errors";
import { BASE, testClient, tokenEndpoint, listedPermission } from "../../helpers/nock";

const RS = "https://api.example.com";
const userPath = "/api/v2/users/auth0%7Cabc/permissions";
const user = { kind: "user" as const, id: "auth0|abc" };
const role = { kind: "role" as const, id: "rol_1" };
const p = (permissionName: string, resourceServerIdentifier = RS) => ({ resourceServerIdentifier, permissionName });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("the permissions API", () => {
  it("percent-encodes user ids in the path: auth0|abc is sent as auth0%7Cabc", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const scope = nock(BASE).post(userPath).reply(201, {});
    await api.add(user, [p("read:x")]);
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ["a slash", "github|org/name", "/api/v2/users/github%7Corg%2Fname/permissions"],
    ["a percent sign", "x%41", "/api/v2/users/x%2541/permissions"],
    ["a question mark", "a?b", "/api/v2/users/a%3Fb/permissions"],
    ["unicode", "oauth2|\u00fcser", "/api/v2/users/oauth2%7C%C3%BCser/permissions"],
  ])("keeps an id with %s inside one path segment", async (_name, id, path) => {
    const { api } = testClient();
    tokenEndpoint();
    const scope = nock(BASE).delete(path).reply(204);
    await api.remove({ kind: "user", id }, [p("read:x")]);
    expect(scope.isDone()).toBe(true);
  });

  it("sends Auth0's snake_case body, deduplicated and sorted", async () => {
    const { api } = testClient();
    tokenEndpoint();
    let body: unknown;
    nock(BASE)
      .post(userPath, (b) => {
        body = b;
        return true;
      })
      .reply(201, {});
    await api.add(user, [p("write:x"), p("read:x"), p("write:x")]);
    expect(body).toEqual({
      permissions: [
        { resource_server_identifier: RS, permission_name: "read:x" },
        { resource_server_identifier: RS, permission_name: "write:x" },
      ],
    });
  });

  it("sends a JSON body with DELETE, as Auth0 requires", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const scope = nock(BASE, { reqheaders: { "content-type": "application/json" } })
      .delete("/api/v2/roles/rol_1/permissions", {
        permissions: [{ resource_server_identifier: RS, permission_name: "read:x" }],
      })
      .reply(204);
    await api.remove(role, [p("read:x")]);
    expect(scope.isDone()).toBe(true);
  });

  it("splits writes into batches of batchSize", async () => {
    const { api } = testClient({ batchSize: 2 });
    tokenEndpoint();
    const sizes: number[] = [];
    nock(BASE)
      .post(userPath, (b: { permissions: unknown[] }) => {
        sizes.push(b.permissions.length);
        return true;
      })
      .times(3)
      .reply(201, {});
    await api.add(
      user,
      ["a", "b", "c", "d", "e"].map((n) => p(n)),
    );
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("reads every page of 250 permissions with per_page=100 and include_totals", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const all = Array.from({ length: 250 }, (_, i) => listedPermission(RS, `perm:${String(i).padStart(3, "0")}`));
    const scope = nock(BASE);
    for (const page of [0, 1, 2]) {
      scope
        .get(userPath)
        .query({ per_page: "100", page: String(page), include_totals: "true" })
        .reply(200, {
          permissions: all.slice(page * 100, page * 100 + 100),
          start: page * 100,
          limit: 100,
          total: 250,
        });
    }
    const listed = await api.list(user);
    expect(listed).toHaveLength(250);
    expect(scope.isDone()).toBe(true);
  });

  it("stops at a short page when the server ignores include_totals and sends a bare array", async () => {
    const { api } = testClient();
    tokenEndpoint();
    nock(BASE)
      .get(userPath)
      .query({ per_page: "100", page: "0", include_totals: "true" })
      .reply(
        200,
        Array.from({ length: 100 }, (_, i) => listedPermission(RS, `p${i}`)),
      )
      .get(userPath)
      .query({ per_page: "100", page: "1", include_totals: "true" })
      .reply(200, [listedPermission(RS, "last")]);
    expect(await api.list(user)).toHaveLength(101);
  });

  it("keeps only DIRECT grants of a user: permissions inherited through roles are not direct", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const both = {
      ...listedPermission(RS, "both"),
      sources: [
        { source_type: "ROLE", source_id: "rol_1", source_name: "R" },
        { source_type: "DIRECT", source_id: "", source_name: "" },
      ],
    };
    nock(BASE)
      .get(userPath)
      .query(true)
      .reply(200, {
        permissions: [listedPermission(RS, "direct"), listedPermission(RS, "inherited", "ROLE"), both],
        start: 0,
        limit: 100,
        total: 3,
      });
    expect(await api.list(user)).toEqual([p("both"), p("direct")]);
  });

  it("does not count a user entry without sources as a direct grant", async () => {
    const { api } = testClient();
    tokenEndpoint();
    nock(BASE)
      .get(userPath)
      .query(true)
      .reply(200, {
        permissions: [{ resource_server_identifier: RS, permission_name: "unsourced" }, listedPermission(RS, "direct")],
        start: 0,
        limit: 100,
        total: 2,
      });
    expect(await api.list(user)).toEqual([p("direct")]);
  });

  it("reports each batch that succeeded, so callers can keep partial progress", async () => {
    const { api } = testClient({ batchSize: 1 });
    tokenEndpoint();
    nock(BASE).delete(userPath).reply(204).delete(userPath).reply(400, { statusCode: 400, message: "bad" });
    const done: string[] = [];
    await expect(
      api.remove(user, [p("a"), p("b")], (batch) => done.push(...batch.map((x) => x.permissionName))),
    ).rejects.toThrow(/400: "bad"/);
    expect(done).toEqual(["a"]);
  });

  it("keeps every entry of a role: role permissions carry no sources", async () => {
    const { api } = testClient();
    tokenEndpoint();
    nock(BASE)
      .get("/api/v2/roles/rol_1/permissions")
      .query(true)
      .reply(200, {
        permissions: [{ resource_server_identifier: RS, permission_name: "read:x" }],
        start: 0,
        limit: 100,
        total: 1,
      });
    expect(await api.list(role)).toEqual([p("read:x")]);
  });

  it("tolerates a 409 for already assigned permissions by sending only the missing ones", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const bodies: unknown[] = [];
    nock(BASE)
      .post(userPath)
      .reply(409, { statusCode: 409, error: "Conflict", message: "Permission already assigned" })
      .get(userPath)
      .query(true)
      .reply(200, { permissions: [listedPermission(RS, "a")], start: 0, limit: 100, total: 1 })
      .post(userPath, (b) => {
        bodies.push(b);
        return true;
      })
      .reply(201, {});
    await api.add(user, [p("a"), p("b")]);
    expect(bodies).toEqual([{ permissions: [{ resource_server_identifier: RS, permission_name: "b" }] }]);
  });

  it("rejects a list response of an unexpected shape with a clear error", async () => {
    const { api } = testClient();
    tokenEndpoint();
    nock(BASE).get(userPath).query(true).reply(200, { users: [] });
    await expect(api.list(user)).rejects.toThrow(
      "Could not list the permissions of user 'auth0|abc': Auth0 returned an unexpected list shape.",
    );
  });
});

describe("path encoding", () => {
  it("percent-encodes the id as one segment, and never emits a dot segment", () => {
    expect(permissionsPath({ kind: "user", id: "auth0|a/b" })).toBe("/api/v2/users/auth0%7Ca%2Fb/permissions");
    expect(permissionsPath({ kind: "user", id: "." })).toBe("/api/v2/users/%2E/permissions");
    expect(permissionsPath({ kind: "role", id: ".." })).toBe("/api/v2/roles/%2E%2E/permissions");
    expect(encodePathSegment("...")).toBe("...");
    expect(holderPath({ kind: "role", id: "rol_1" })).toBe("/api/v2/roles/rol_1");
  });

  it("fails with a named error, not a URIError, on a lone surrogate", () => {
    expect(() => encodePathSegment("auth0|\uD800")).toThrow(Auth0PermissionsError);
    expect(() => encodePathSegment("auth0|\uD800")).toThrow(/lone UTF-16 surrogate.*nothing was sent/);
  });
});

describe("pagination must advance: a list whose pages do not add up fails the read", () => {
  const listPath = "/api/v2/roles/rol_1/permissions";
  const entries = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => listedPermission(RS, `p:${String(from + i).padStart(4, "0")}`));
  const serve = (pages: unknown[]) => {
    const scope = nock(BASE);
    pages.forEach((body, page) =>
      scope
        .get(listPath)
        .query({ per_page: "100", page: String(page), include_totals: "true" })
        .reply(200, body),
    );
    return scope;
  };

  it("fails when the server repeats the same page: no entry is seen twice", async () => {
    const { api } = testClient();
    tokenEndpoint();
    const same = { permissions: entries(0, 100), start: 0, limit: 100, total: 300 };
    serve([same, same]);
    await expect(api.list(role)).rejects.toThrow(UnrecognizedAnswerError);
    nock.cleanAll();
    tokenEndpoint();
    serve([same, same]);
    await expect(testClient().api.list(role)).rejects.toThrow(
      /pages of the list disagree \(p:0000 on .* was listed twice/,
    );
  });

  it("fails on a full page next to total 0: the count read never exceeds total", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([{ permissions: entries(0, 100), start: 0, limit: 100, total: 0 }]);
    await expect(api.list(role)).rejects.toThrow(/100 entries were listed but total says 0/);
  });

  it("fails on a page that says more than total", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([{ permissions: entries(0, 3), start: 0, limit: 100, total: 2 }]);
    await expect(api.list(role)).rejects.toThrow(/3 entries were listed but total says 2/);
  });

  it("fails on an empty page while total says there is more", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([
      { permissions: entries(0, 100), start: 0, limit: 100, total: 150 },
      { permissions: [], start: 100, limit: 100, total: 150 },
    ]);
    await expect(api.list(role)).rejects.toThrow(/an empty page after 100 entries, but total says 150/);
  });

  it("fails on a total that is not a whole number", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([{ permissions: entries(0, 1), start: 0, limit: 100, total: "1" }]);
    await expect(api.list(role)).rejects.toThrow(/unexpected list shape/);
  });

  it("accepts a full last page whose total says exactly that, and does not require exact start values", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([
      { permissions: entries(0, 100), start: 0, limit: 100, total: 200 },
      { permissions: entries(100, 100), start: 1, limit: 100, total: 200 },
    ]);
    expect(await api.list(role)).toHaveLength(200);
  });

  it("without totals, reads on after a full page and stops at a short one", async () => {
    const { api } = testClient();
    tokenEndpoint();
    serve([entries(0, 100), entries(100, 7)]);
    expect(await api.list(role)).toHaveLength(107);
  });

  it("checkPage, as a table", () => {
    const page = (items: number, seen: number, total: number | undefined) =>
      checkPage({ pageSize: 100, items, seen, total });
    expect(page(100, 100, 100)).toEqual({ kind: "done" });
    expect(page(100, 100, 250)).toEqual({ kind: "more" });
    expect(page(40, 140, 250)).toEqual({ kind: "more" }); // a short page, then more: start is not checked
    expect(page(0, 140, 250).kind).toBe("inconsistent");
    expect(page(100, 100, 0).kind).toBe("inconsistent");
    expect(page(100, 100, undefined)).toEqual({ kind: "more" });
    expect(page(99, 99, undefined)).toEqual({ kind: "done" });
  });
});
