import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { dynamicHost } from "../../../src/provider/dynamic-host";
import { currentUrn, trackRequestUrns } from "../../../src/provider/request-urn";

// The installed host's own messages, as the provider process has them.
const hostMain = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
const hostRequire = createRequire(hostMain);
type Request = { setUrn(urn: string): void; setId?(id: string): void; getOlds?(): unknown; getProperties?(): unknown };
const proto = hostRequire("../../proto/provider_pb") as Record<string, new () => Request>;

const urn = (name: string) => `urn:pulumi:dev::proj::pulumi-nodejs:dynamic/auth0:UserPermissions::${name}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function request(kind: string, name: string): Request {
  const r = new proto[kind]!();
  r.setUrn(urn(name));
  return r;
}

describe("dynamicHost", () => {
  it("recognises the dynamic provider host by its main module, and takes its arguments after `node <main>`", () => {
    expect(dynamicHost(hostMain, ["node", hostMain, "127.0.0.1:1"])?.args).toEqual(["127.0.0.1:1"]);
    expect(dynamicHost("/usr/lib/node_modules/vitest/vitest.mjs", [])).toBeUndefined();
    expect(dynamicHost(undefined, [])).toBeUndefined();
  });
});

describe("trackRequestUrns", () => {
  it("gives each request served its own URN, across awaits, as the host reads each request first", async () => {
    expect(trackRequestUrns({ require: hostRequire, args: [] })).toBe(true);
    // As the host does: read the request, then await the provider; two requests interleaved.
    const serve = async (req: Request, read: (r: Request) => unknown) => {
      read(req);
      await tick();
      const before = currentUrn();
      await tick();
      return [before, currentUrn()];
    };
    const results = await Promise.all([
      serve(request("ReadRequest", "a"), (r) => r.getProperties!()),
      serve(request("CheckRequest", "b"), (r) => r.getOlds!()),
      serve(request("DeleteRequest", "c"), (r) => r.getProperties!()),
    ]);
    expect(results).toEqual([
      [urn("a"), urn("a")],
      [urn("b"), urn("b")],
      [urn("c"), urn("c")],
    ]);
  });

  it("patches once: a second call changes nothing", () => {
    trackRequestUrns({ require: hostRequire, args: [] });
    const getOlds = proto["DiffRequest"]!.prototype.getOlds;
    expect(trackRequestUrns({ require: hostRequire, args: [] })).toBe(true);
    expect(proto["DiffRequest"]!.prototype.getOlds).toBe(getOlds);
  });

  it("leaves a host it does not recognise alone", () => {
    const Plain = class {
      getOlds() {
        return 1;
      }
    };
    const fake = { CheckRequest: Plain } as Record<string, unknown>;
    const original = Plain.prototype.getOlds;
    const host = { require: (() => fake) as unknown as NodeJS.Require, args: [] };
    expect(trackRequestUrns(host)).toBe(false);
    expect(Plain.prototype.getOlds).toBe(original);
    const missing = {
      require: (() => {
        throw new Error("Cannot find module");
      }) as unknown as NodeJS.Require,
      args: [],
    };
    expect(trackRequestUrns(missing)).toBe(false);
  });
});
