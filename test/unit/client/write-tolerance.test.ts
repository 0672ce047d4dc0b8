import { describe, expect, it } from "vitest";
import { tolerance, type Answer } from "../../../src/client/write-tolerance";

const answer = (overrides: Partial<Answer>): Answer => ({
  method: "DELETE",
  holder: "user",
  status: 404,
  errorCode: undefined,
  message: undefined,
  ...overrides,
});

describe("the write-tolerance table: keyed on status and Auth0's errorCode, never on the emulator's wording", () => {
  it.each<[string, Partial<Answer>, string]>([
    ["409 to a POST", { method: "POST", status: 409 }, "alreadyGranted"],
    ["409 to a DELETE", { method: "DELETE", status: 409 }, "error"],
    [
      "Auth0's missing user (inexistent_user)",
      { errorCode: "inexistent_user", message: "The user does not exist." },
      "alreadyGone",
    ],
    ["inexistent_user whatever the message", { errorCode: "inexistent_user", message: "x" }, "alreadyGone"],
    ["inexistent_user about a role", { holder: "role", errorCode: "inexistent_user" }, "unsure"],
    [
      "Auth0's missing role (recorded body, no errorCode)",
      { holder: "role", message: "The role does not exist." },
      "alreadyGone",
    ],
    [
      "the role message with an errorCode",
      { holder: "role", message: "The role does not exist.", errorCode: "x" },
      "unsure",
    ],
    ["the role message about a user", { holder: "user", message: "The role does not exist." }, "unsure"],
    ["a proxy's or gateway's 404", { message: "Not Found" }, "unsure"],
    ["a 404 without a body", {}, "unsure"],
    ["the API was deleted (inexistent_resource_server)", { errorCode: "inexistent_resource_server" }, "refused"],
    ["inexistent_resource_server to a read", { method: "GET", errorCode: "inexistent_resource_server" }, "unsure"],
    ["a 400 Auth0 gives to a permission", { method: "POST", status: 400, message: "anything" }, "refused"],
    ["a 400 validation error of our own request", { status: 400, errorCode: "invalid_body" }, "error"],
    ["a 400 to a read", { method: "GET", status: 400 }, "error"],
    ["403 insufficient_scope", { status: 403, errorCode: "insufficient_scope" }, "error"],
    ["500", { status: 500 }, "error"],
  ])("%s: %s", (_name, overrides, expected) => {
    expect(tolerance(answer(overrides))).toBe(expected);
  });
});
