import { createRequire } from "node:module";
import type { Policy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  maxPermissionsPerUser,
  noDirectGrant,
  removalsRestoreOnDelete,
  type NoDirectGrantOptions,
} from "../../../src/policy";

// The guardrails run through @pulumi/policy's own analyzer functions (makeAnalyzeRpcFun and
// makeAnalyzeStackRpcFun, what its gRPC server registers for the engine), with the engine's request
// messages, so type matching, deserialization and violation reports are the real ones.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const analyzerProto = fromPulumi("./proto/analyzer_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const server = createRequire(__filename)("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: (...args: unknown[]) => Rpc;
  makeAnalyzeStackRpcFun: (...args: unknown[]) => Rpc;
};
type Rpc = (call: { request: unknown }, callback: (error: unknown, response: AnalyzeResponse) => void) => Promise<void>;
interface AnalyzeResponse {
  getDiagnosticsList(): { getPolicyname(): string; getMessage(): string; getUrn(): string }[];
}

const USER = "pulumi-nodejs:dynamic/auth0:UserPermissions";
const ROLE = "pulumi-nodejs:dynamic/auth0:RolePermissionRemoval";
const RS = "https://api.example.com";
const p = (permissionName: string, resourceServerIdentifier = RS) => ({ resourceServerIdentifier, permissionName });

interface Resource {
  readonly name: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

function message(proto: { new (): unknown }, resource: Resource): unknown {
  const r = new proto() as Record<string, (v: unknown) => void>;
  r["setType"]!(resource.type);
  r["setName"]!(resource.name);
  r["setUrn"]!(`urn:pulumi:dev::project::${resource.type}::${resource.name}`);
  r["setProperties"]!(Struct.fromJavaScript(resource.props));
  r["setOptions"]!(new analyzerProto.AnalyzerResourceOptions());
  return r;
}

async function call(rpc: Rpc, request: unknown): Promise<string[]> {
  return new Promise((resolve, reject) =>
    rpc({ request }, (error, response) => {
      if (error) reject(error);
      // A resource policy's report carries no URN (the engine adds it); a stack policy's names the resource.
      else resolve(response.getDiagnosticsList().map((d) => `${d.getPolicyname()} ${d.getUrn()}: ${d.getMessage()}`));
    }),
  );
}

/** What @pulumi/policy reports for one resource (Analyze). */
function analyze(policies: Policy[], resource: Resource): Promise<string[]> {
  const rpc = server.makeAnalyzeRpcFun("test-pack", "0.0.1", "advisory", policies);
  return call(rpc, message(analyzerProto.AnalyzeRequest, resource));
}

/** What @pulumi/policy reports for a whole stack (AnalyzeStack). */
function analyzeStack(policies: Policy[], resources: Resource[]): Promise<string[]> {
  const rpc = server.makeAnalyzeStackRpcFun("test-pack", "0.0.1", "advisory", policies);
  const request = new analyzerProto.AnalyzeStackRequest();
  request.setResourcesList(resources.map((r) => message(analyzerProto.AnalyzerResource, r)));
  return call(rpc, request);
}

const grant = (name: string, userId: string, ...names: string[]): Resource => ({
  name,
  type: USER,
  props: { userId, permissions: names.map((n) => p(n)) },
});

describe("noDirectGrant", () => {
  const policy = noDirectGrant({ permissions: ["delete:*", /^admin:/] });

  it("reports a UserPermissions granting a permission that matches a glob or a regular expression, naming it", async () => {
    expect(await analyze([policy], grant("ops", "auth0|u1", "read:reports", "delete:reports", "admin:users"))).toEqual([
      "auth0-no-direct-grant : " +
        'Permissions matching "delete:*", /^admin:/ are never granted directly to a user.\n' +
        `UserPermissions grants delete:reports on ${RS} (matches "delete:*"), admin:users on ${RS} (matches /^admin:/) ` +
        "directly to user 'auth0|u1'. Grant it through a role instead, or take it out of `permissions`.",
    ]);
  });

  it("passes what matches no pattern, matches whole names case-sensitively, and ignores other resource types", async () => {
    expect(await analyze([policy], grant("ok", "auth0|u1", "read:reports", "Delete:x", "undelete:x"))).toEqual([]);
    const removal = { name: "r", type: ROLE, props: { roleId: "rol_1", permissions: [p("delete:x")] } };
    expect(await analyze([policy], removal)).toEqual([]);
  });

  it("limits itself to the listed APIs when given", async () => {
    const onOne = noDirectGrant({ permissions: ["*"], resourceServerIdentifiers: ["https://billing"] });
    const resource: Resource = {
      name: "mixed",
      type: USER,
      props: { userId: "u", permissions: [p("read:x"), p("pay", "https://billing")] },
    };
    expect((await analyze([onOne], resource)).join()).toMatch(
      /grants pay on https:\/\/billing \(matches "\*"\) directly/,
    );
  });

  it("rejects bad options at once, naming the option", () => {
    expect(() => noDirectGrant({ permissions: [] })).toThrow(/noDirectGrant: permissions must list at least one/);
    expect(() => noDirectGrant({ permissions: [""] } as NoDirectGrantOptions)).toThrow(/permissions\[0\] must be/);
  });
});

describe("maxPermissionsPerUser", () => {
  const policy = maxPermissionsPerUser({ max: 2 });

  it("counts distinct permissions per user over every UserPermissions of the stack and reports each resource", async () => {
    const reports = await analyzeStack(
      [policy],
      [grant("a", "auth0|u1", "x", "y"), grant("b", "auth0|u1", "y", "z"), grant("c", "auth0|u2", "x", "y")],
    );
    const text =
      "User 'auth0|u1' would be granted 3 permissions directly (by 2 UserPermissions resource(s)); the cap is 2.";
    expect(reports).toEqual([
      expect.stringMatching(new RegExp(`::a: .*\\n${escape(text)}`)),
      expect.stringMatching(new RegExp(`::b: .*\\n${escape(text)}`)),
    ]);
  });

  it("passes a stack at the cap, and rejects a cap that is not a positive integer", async () => {
    expect(await analyzeStack([policy], [grant("a", "auth0|u1", "x", "y"), grant("b", "auth0|u1", "x")])).toEqual([]);
    expect(() => maxPermissionsPerUser({ max: 0 })).toThrow("maxPermissionsPerUser: max must be a positive integer");
    expect(() => maxPermissionsPerUser({ max: 1.5 })).toThrow(/got 1.5/);
  });
});

describe("removalsRestoreOnDelete", () => {
  const policy = removalsRestoreOnDelete();
  const removal = (props: Record<string, unknown>): Resource => ({
    name: "keep-off",
    type: ROLE,
    props: { roleId: "rol_1", permissions: [p("delete:x")], ...props },
  });

  it("reports a RolePermissionRemoval that sets restoreOnDelete: false", async () => {
    expect(await analyze([policy], removal({ restoreOnDelete: false }))).toEqual([
      expect.stringContaining(
        "RolePermissionRemoval of role 'rol_1' sets restoreOnDelete: false, so destroying it would leave the role",
      ),
    ]);
  });

  it("passes the default and an explicit true", async () => {
    expect(await analyze([policy], removal({}))).toEqual([]);
    expect(await analyze([policy], removal({ restoreOnDelete: true }))).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
