import { beforeEach, describe, expect, it } from "vitest";
import { API, wire, wireOn } from "../helpers/tenant";
import { expectAnswer, expectAnswerLike, INEXISTENT_ROLE, PERMISSION_CALLS, useEmulator } from "./support";

describe("role permissions", () => {
  const env = useEmulator();
  beforeEach(() => env.emulator.admin.reset());
  const reader = "/roles/rol_reader/permissions";

  it("POST /roles/{id}/permissions answers 201 with the body {}", async () => {
    const result = await env.client.api("POST", reader, { permissions: [wire("delete:foo")] });
    expect(result.status).toBe(201);
    expect(result.text).toBe("{}");
  });

  it("GET lists role permissions without a sources field", async () => {
    const result = await env.client.api("GET", `${reader}?include_totals=true&per_page=100`);
    expect(result.json).toEqual({
      permissions: [
        {
          permission_name: "create:foo",
          description: "Can create Foo",
          resource_server_name: "Example API",
          resource_server_identifier: API,
        },
        {
          permission_name: "read:foo",
          description: "Can read Foo",
          resource_server_name: "Example API",
          resource_server_identifier: API,
        },
      ],
      start: 0,
      limit: 100,
      total: 2,
    });
  });

  it("GET of a role with no permissions answers the empty totals shape", async () => {
    env.emulator.admin.seed({ roles: [{ id: "rol_empty" }] });
    const result = await env.client.api("GET", "/roles/rol_empty/permissions?include_totals=true&per_page=100");
    expect(result.json).toEqual({ permissions: [], start: 0, limit: 100, total: 0 });
  });

  it("a scope without a description is listed with an empty description", async () => {
    await env.client.api("POST", reader, { permissions: [wire("delete:foo")] });
    const entries = (await env.client.api("GET", reader)).json as Array<{
      permission_name: string;
      description: string;
    }>;
    expect(entries.find((entry) => entry.permission_name === "delete:foo")?.description).toBe("");
  });

  it("DELETE /roles/{id}/permissions answers 204 with an empty body, also for permissions not assigned", async () => {
    const first = await env.client.api("DELETE", reader, { permissions: [wire("read:foo")] });
    const again = await env.client.api("DELETE", reader, {
      permissions: [wire("read:foo"), wire("delete:foo")],
    });
    expect([first.status, first.text, again.status, again.text]).toEqual([204, "", 204, ""]);
    expect(env.emulator.admin.state().roles[0]?.permissions).toEqual([wire("create:foo")]);
  });

  it("removing a permission from a role removes the ROLE source from its members' lists", async () => {
    await env.client.api("DELETE", reader, { permissions: [wire("read:foo")] });
    const names = (
      (await env.client.api("GET", "/users/auth0%7Cbob/permissions")).json as Array<{ permission_name: string }>
    ).map((entry) => entry.permission_name);
    expect(names).toEqual(["create:foo"]);
  });

  it.each(PERMISSION_CALLS)(
    "%s on a role that does not exist answers 404 without an errorCode",
    async (method, body) => {
      const result = await env.client.api(method, "/roles/rol_missing/permissions", body);
      expectAnswer(result, 404, INEXISTENT_ROLE);
    },
  );

  it("POST naming an API that does not exist answers 404 for roles too", async () => {
    const result = await env.client.api("POST", reader, { permissions: [wireOn("", "read:foo")] });
    expectAnswerLike(result, 404, { message: "The resource server does not exist: ''" });
  });
});
