import { beforeEach, describe, expect, it } from "vitest";
import { API, wire, wireOn } from "../helpers/tenant";
import { expectAnswer, expectAnswerLike, INEXISTENT_USER, OTHER_API, PERMISSION_CALLS, useEmulator } from "./support";

describe("user permissions", () => {
  const env = useEmulator();
  beforeEach(() => env.emulator.admin.reset());
  const alice = "/users/auth0%7Calice/permissions";
  const bob = "/users/auth0%7Cbob/permissions";

  it("POST /users/{id}/permissions answers 201 with the body {}", async () => {
    const result = await env.client.api("POST", alice, { permissions: [wire("create:foo")] });
    expect(result.status).toBe(201);
    expect(result.text).toBe("{}");
    expect(result.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("POST with several permissions assigns them all in one call", async () => {
    await env.client.api("POST", "/users/auth0%7Ccarol/permissions", {
      permissions: [wire("create:foo"), wireOn(OTHER_API, "read:bar")],
    });
    const state = env.emulator.admin.state().users.find((user) => user.user_id === "auth0|carol");
    expect(state?.permissions).toEqual([wire("create:foo"), wireOn(OTHER_API, "read:bar")]);
  });

  it("GET lists a direct permission with description, API name and a DIRECT source", async () => {
    const result = await env.client.api("GET", `${alice}?include_totals=true&per_page=100`);
    expectAnswer(result, 200, {
      permissions: [
        {
          permission_name: "read:foo",
          description: "Can read Foo",
          resource_server_name: "Example API",
          resource_server_identifier: API,
          sources: [{ source_id: "", source_name: "", source_type: "DIRECT" }],
        },
      ],
      start: 0,
      limit: 100,
      total: 1,
    });
  });

  it("GET lists permissions inherited from a role with a ROLE source naming the role", async () => {
    const result = await env.client.api("GET", bob);
    expect(result.json).toEqual([
      expect.objectContaining({
        permission_name: "create:foo",
        sources: [{ source_id: "rol_reader", source_name: "Reader", source_type: "ROLE" }],
      }),
      expect.objectContaining({
        permission_name: "read:foo",
        sources: [{ source_id: "rol_reader", source_name: "Reader", source_type: "ROLE" }],
      }),
    ]);
  });

  it("GET lists a permission held both directly and through a role once, with both sources", async () => {
    env.emulator.admin.seed({
      users: [{ user_id: "auth0|alice", permissions: [wire("read:foo")], roles: ["rol_reader"] }],
    });
    const result = await env.client.api("GET", alice);
    const readFoo = (result.json as Array<{ permission_name: string; sources: unknown[] }>).find(
      (entry) => entry.permission_name === "read:foo",
    );
    expect(readFoo?.sources).toEqual([
      { source_id: "", source_name: "", source_type: "DIRECT" },
      { source_id: "rol_reader", source_name: "Reader", source_type: "ROLE" },
    ]);
  });

  it("GET lists permissions sorted by API identifier, then permission name", async () => {
    await env.client.api("POST", "/users/auth0%7Ccarol/permissions", {
      permissions: [wireOn(OTHER_API, "read:bar"), wire("read:foo"), wire("create:foo")],
    });
    const result = await env.client.api("GET", "/users/auth0%7Ccarol/permissions");
    const names = (result.json as Array<{ permission_name: string }>).map((entry) => entry.permission_name);
    expect(names).toEqual(["create:foo", "read:foo", "read:bar"]);
  });

  it("DELETE answers 204 with an empty body and removes the permission", async () => {
    const result = await env.client.api("DELETE", alice, { permissions: [wire("read:foo")] });
    expect(result.status).toBe(204);
    expect(result.text).toBe("");
    expect(result.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect((await env.client.api("GET", alice)).json).toEqual([]);
  });

  it("DELETE of a permission that is not assigned answers 204", async () => {
    const result = await env.client.api("DELETE", "/users/auth0%7Ccarol/permissions", {
      permissions: [wire("read:foo"), wire("create:foo")],
    });
    expect(result.status).toBe(204);
  });

  it("DELETE of a user permission leaves the permissions the user gets from roles", async () => {
    await env.client.api("DELETE", bob, { permissions: [wire("read:foo")] });
    const names = ((await env.client.api("GET", bob)).json as Array<{ permission_name: string }>).map(
      (entry) => entry.permission_name,
    );
    expect(names).toEqual(["create:foo", "read:foo"]);
  });

  it.each(PERMISSION_CALLS)("%s on a user that does not exist answers 404 inexistent_user", async (method, body) => {
    const result = await env.client.api(method, "/users/auth0%7Cnobody/permissions", body);
    expectAnswer(result, 404, INEXISTENT_USER);
  });

  it("path ids are percent-decoded before the lookup, slashes and spaces included", async () => {
    const encoded = await env.client.api("GET", alice);
    expect(encoded.status).toBe(200);
    env.emulator.admin.seed({ users: [{ user_id: "google-oauth2|1 2/3" }] });
    const slashAndSpace = await env.client.api(
      "GET",
      `/users/${encodeURIComponent("google-oauth2|1 2/3")}/permissions`,
    );
    expect(slashAndSpace.status).toBe(200);
  });

  it("POST naming an API that does not exist answers 404 'The resource server does not exist'", async () => {
    const result = await env.client.api("POST", alice, { permissions: [wireOn("https://nope", "read:foo")] });
    expectAnswerLike(result, 404, {
      statusCode: 404,
      error: "Not Found",
      message: "The resource server does not exist: 'https://nope'",
    });
  });

  it("DELETE naming an API that does not exist answers 404 too", async () => {
    const result = await env.client.api("DELETE", alice, { permissions: [wireOn("", "read:foo")] });
    expectAnswerLike(result, 404, { message: "The resource server does not exist: ''" });
  });

  it("a rejected POST changes nothing, even for the valid permissions in it", async () => {
    const result = await env.client.api("POST", "/users/auth0%7Ccarol/permissions", {
      permissions: [wire("create:foo"), wireOn("https://nope", "read:foo")],
    });
    expect(result.status).toBe(404);
    expect(env.emulator.admin.state().users.find((user) => user.user_id === "auth0|carol")?.permissions).toEqual([]);
  });
});
