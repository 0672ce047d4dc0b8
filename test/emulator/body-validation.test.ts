import { describe, expect, it } from "vitest";
import { wire } from "../helpers/tenant";
import { expectAnswer, expectAnswerLike, useEmulator } from "./support";

describe("request body validation", () => {
  const env = useEmulator();
  const carol = "/users/auth0%7Ccarol/permissions";

  it.each([
    ["POST", "/users/auth0%7Ccarol/permissions"],
    ["DELETE", "/users/auth0%7Ccarol/permissions"],
    ["POST", "/roles/rol_reader/permissions"],
    ["DELETE", "/roles/rol_reader/permissions"],
  ])(
    "%s %s with permissions: null answers 400 invalid_body 'Expected type array but found type null'",
    async (method, path) => {
      const result = await env.client.request(method, `/api/v2${path}`, {
        body: { permissions: null },
        token: await env.client.token(),
      });
      expectAnswer(result, 400, {
        statusCode: 400,
        error: "Bad Request",
        message: "Payload validation error: 'Expected type array but found type null' on property permissions.",
        errorCode: "invalid_body",
      });
    },
  );

  it.each([
    ["a missing permissions array", {}, "Payload validation error: 'Missing required property: permissions'."],
    [
      "an empty permissions array",
      { permissions: [] },
      "Payload validation error: 'Array is too short (0), minimum 1' on property permissions.",
    ],
    [
      "an extra top-level property",
      { permissions: [wire("read:foo")], force: true },
      "Payload validation error: 'Additional properties not allowed: force'.",
    ],
    [
      "an extra item property",
      { permissions: [{ ...wire("read:foo"), description: "x" }] },
      "Payload validation error: 'Additional properties not allowed: description' on property permissions[0].",
    ],
    [
      "an item without permission_name",
      { permissions: [{ resource_server_identifier: "x" }] },
      "Payload validation error: 'Missing required property: permission_name' on property permissions[0].",
    ],
    [
      "a non-string permission_name",
      { permissions: [{ resource_server_identifier: "x", permission_name: 7 }] },
      "Payload validation error: 'Expected type string but found type integer' on property permissions[0].permission_name.",
    ],
    [
      "an item that is not an object",
      { permissions: ["read:foo"] },
      "Payload validation error: 'Expected type object but found type string' on property permissions[0].",
    ],
    [
      "a body that is an array",
      [wire("read:foo")],
      "Payload validation error: 'Expected type object but found type array'.",
    ],
  ])("%s answers 400 invalid_body", async (_case, body, message) => {
    const result = await env.client.api("POST", carol, body);
    expectAnswerLike(result, 400, { errorCode: "invalid_body", message });
  });

  it("a body that is not JSON answers 400 invalid_body", async () => {
    const result = await env.client.api("POST", carol, undefined, { rawBody: "{permissions:" });
    expectAnswerLike(result, 400, { errorCode: "invalid_body", message: "Invalid request payload JSON format" });
  });

  it("an empty body answers 400 invalid_body", async () => {
    const result = await env.client.api("POST", carol, undefined, { rawBody: "" });
    expectAnswerLike(result, 400, { errorCode: "invalid_body" });
  });

  it("validation comes before the user lookup, so a bad body for a missing user answers 400", async () => {
    const result = await env.client.api("POST", "/users/auth0%7Cnobody/permissions", { permissions: [] });
    expect(result.status).toBe(400);
  });

  it("a form-encoded body with bracketed permission fields is accepted", async () => {
    env.emulator.admin.reset();
    const result = await env.client.api("POST", carol, undefined, {
      form: {
        "permissions[0][resource_server_identifier]": "https://api.example.com",
        "permissions[0][permission_name]": "create:foo",
      },
    });
    expect(result.status).toBe(201);
    expect(env.emulator.admin.state().users.find((user) => user.user_id === "auth0|carol")?.permissions).toEqual([
      wire("create:foo"),
    ]);
  });
});
