import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth0PermissionsError, ConfigurationError } from "../../../src/errors";
import { configure, handlers } from "../../../src/provider";
import { asOneLine, atHostBoundary, quietHostErrorLines, type Methods } from "../../../src/provider/host-boundary";

/** How the dynamic provider host prints an error thrown by check, diff, read or delete (3.139.0 to 3.276.0). */
const hostLine = (error: unknown) => {
  const e = error as Error;
  return `${e}: ${e.stack}`;
};

const SECRET = "s3cr3t-value-never-printed";
const state = { schemaVersion: 1, domain: "t.test.auth0.com", userId: "auth0|u1", permissions: [] };
const news = { userId: "auth0|u1", permissions: [{ resourceServerIdentifier: "https://api", permissionName: "a" }] };

let config: Record<string, string>;
beforeEach(async () => {
  for (const name of ["DOMAIN", "CLIENT_ID", "CLIENT_SECRET", "API_TOKEN", "CLIENT_ASSERTION_PRIVATE_KEY"]) {
    vi.stubEnv(`AUTH0_${name}`, "");
  }
  config = { "auth0:domain": "t.test.auth0.com", "auth0:clientId": "id", "auth0:clientSecret": SECRET };
  await configure({ config: { get: (key) => config[key] } });
});
afterEach(() => vi.unstubAllEnvs());

describe("a configuration problem is a check failure naming the key and the fix, not a thrown error", () => {
  it.each([
    ["a missing auth0:domain", { "auth0:domain": "" }, /^auth0:domain is not set\. Set it with `pulumi config set/],
    ["a malformed auth0:domain", { "auth0:domain": "https://t.test.auth0.com/api/v2" }, /^auth0:domain must be/],
    ["no credentials", { "auth0:clientSecret": "" }, /^No Auth0 credentials: auth0:clientSecret is not set/],
    ["a secret with a newline", { "auth0:clientSecret": `${SECRET}\n` }, /^auth0:clientSecret contains white space/],
    [
      "a tuning value out of range",
      { "pulumi-auth0-permissions:maxRetries": "99" },
      /^pulumi-auth0-permissions:maxRetries must be at most 20/,
    ],
  ])("%s", async (_name, change, reason) => {
    Object.assign(config, change);
    for (const kind of ["UserPermissions", "RolePermissionRemoval", "RolePermissionRemovalPlan"]) {
      const result = await handlers(kind).check({}, { ...news, roleId: "rol_1" });
      expect(result.inputs).toBeUndefined();
      expect(result.failures).toHaveLength(1);
      expect(result.failures![0]!.property).toBe("");
      expect(result.failures![0]!.reason).toMatch(reason);
      expect(result.failures![0]!.reason).not.toContain(SECRET);
    }
  });
});

describe("read and delete, which refresh and destroy call without check, fail with one line", () => {
  it.each(["read", "delete"] as const)("%s, with auth0:domain missing", async (method) => {
    config["auth0:domain"] = "";
    const methods = handlers("UserPermissions");
    const error = await methods[method]("auth0|u1", state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(hostLine(error)).toBe(`pulumi-auth0-permissions: ${(error as Error).message}`);
    expect(hostLine(error)).not.toMatch(/\n|ConfigurationError/);
  });
});

describe("atHostBoundary", () => {
  const methods = (fail: unknown): Methods => {
    const reject = async (): Promise<never> => {
      throw fail;
    };
    return { check: reject, diff: reject, create: reject, read: reject, update: reject, delete: reject };
  };
  const noFlush = async () => {};

  it("keeps the stack of an error that is not this package's (a bug), and rethrows the same object", async () => {
    const bug = new TypeError("x is undefined");
    const stack = bug.stack;
    const thrown = await atHostBoundary(methods(bug), noFlush)
      .read("id", {})
      .catch((e: unknown) => e);
    expect(thrown).toBe(bug);
    expect(bug.stack).toBe(stack);
  });

  it("keeps message, class and cause of this package's errors", async () => {
    const cause = new Error("inner");
    const error = new Auth0PermissionsError("Could not grant: Auth0 answered 403.", { cause });
    const thrown = await atHostBoundary(methods(error), noFlush)
      .create({})
      .catch((e: unknown) => e);
    expect(thrown).toBe(error);
    expect(error.message).toBe("Could not grant: Auth0 answered 403.");
    expect(error.cause).toBe(cause);
    expect(hostLine(error)).toBe("pulumi-auth0-permissions: Could not grant: Auth0 answered 403.");
  });

  it("answers only once the lines printed are delivered, on success and on failure", async () => {
    const events: string[] = [];
    const flush = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push("flushed");
    };
    const ok: Methods = { ...methods(new Error("no")), diff: async () => ({ changes: false }) };
    await atHostBoundary(ok, flush)
      .diff("id", {}, {})
      .then(() => events.push("answered"));
    await atHostBoundary(ok, flush)
      .read("id", {})
      .catch(() => events.push("failed"));
    expect(events).toEqual(["flushed", "answered", "flushed", "failed"]);
  });
});

describe("quietHostErrorLines", () => {
  it("leaves out the host's stderr copy of an error it hands back, in that turn only; prints everything else", async () => {
    const printed: unknown[][] = [];
    const target = { error: (...args: unknown[]) => void printed.push(args) };
    quietHostErrorLines(target);
    const error = asOneLine(new ConfigurationError("auth0:domain is not set."));
    target.error(`${error}: ${error.stack}`); // as the host's catch does
    target.error("another line");
    const line = hostLine(error);
    await Promise.resolve();
    target.error(line); // the same text, later: not the host's copy
    target.error(hostLine(new TypeError("a bug")).split("\n")[0]);
    expect(printed).toEqual([["another line"], [line], ["TypeError: a bug: TypeError: a bug"]]);
  });
});
