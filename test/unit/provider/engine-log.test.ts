import * as grpc from "@grpc/grpc-js";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import {
  classifyLine,
  connectEngine,
  engineAddress,
  ProviderLines,
  type EngineSend,
} from "../../../src/provider/engine-log";
import type { DynamicHost } from "../../../src/provider/dynamic-host";
import { currentUrn, withUrn } from "../../../src/provider/request-urn";

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/auth0:UserPermissions::g";

function lines(send?: EngineSend) {
  const stderr: string[] = [];
  const router = new ProviderLines({ fallback: (text) => stderr.push(text), urn: currentUrn });
  if (send) router.connect(send);
  return { router, stderr };
}

describe("classifyLine", () => {
  it("makes a `warning: ` line a warning, without the prefix; anything else is info, as is", () => {
    expect(classifyLine("warning: refresh found 1")).toEqual({ severity: "warning", message: "refresh found 1" });
    expect(classifyLine("POST /x: HTTP 503; retry 1/6")).toEqual({
      severity: "info",
      message: "POST /x: HTTP 503; retry 1/6",
    });
  });
});

describe("engineAddress", () => {
  it("takes the last argument, after the engine's flags, when it is a loopback host:port", () => {
    expect(engineAddress(["127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddress(["--logtostderr", "-v=9", "--tracing", "x", "127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddress(["[::1]:1"])).toBe("[::1]:1");
  });
  it.each([
    [[]],
    [["127.0.0.1:40123", "--logtostderr"]],
    [["10.0.0.1:40123"]],
    [["127.0.0.1:0"]],
    [["127.0.0.1:70000"]],
  ])("refuses %j", (args) => expect(engineAddress(args)).toBeUndefined());
});

describe("ProviderLines", () => {
  it("sends a line written for a known resource to the engine, with its severity, and nothing to stderr", async () => {
    const sent: unknown[] = [];
    const { router, stderr } = lines(async (...args) => void sent.push(args));
    withUrn(URN, () => {
      router.write("GET /a: HTTP 503; retry 1/6 in 0.3 s (read permissions of user 'auth0|x')");
      router.write("warning: UserPermissions of user 'auth0|x': refresh found 1 listed permission(s) missing");
    });
    await router.flush();
    expect(sent).toEqual([
      [URN, "info", "GET /a: HTTP 503; retry 1/6 in 0.3 s (read permissions of user 'auth0|x')"],
      [URN, "warning", "UserPermissions of user 'auth0|x': refresh found 1 listed permission(s) missing"],
    ]);
    expect(stderr).toEqual([]);
  });

  it("writes to stderr, as before, a line with no resource, or when not connected", async () => {
    const sent: unknown[] = [];
    const connected = lines(async (...args) => void sent.push(args));
    connected.router.write("outside any request");
    const alone = lines();
    withUrn(URN, () => alone.router.write("warning: not connected"));
    await Promise.all([connected.router.flush(), alone.router.flush()]);
    expect(sent).toEqual([]);
    expect(connected.stderr).toEqual(["pulumi-auth0-permissions: outside any request\n"]);
    expect(alone.stderr).toEqual(["pulumi-auth0-permissions: warning: not connected\n"]);
  });

  it("delivers in order, one at a time, and flush waits for all of them", async () => {
    const events: string[] = [];
    const { router } = lines(async (_urn, _severity, message) => {
      events.push(`start ${message}`);
      await new Promise((resolve) => setTimeout(resolve, message === "1" ? 20 : 0));
      events.push(`end ${message}`);
    });
    withUrn(URN, () => ["1", "2", "3"].forEach((line) => router.write(line)));
    await router.flush();
    events.push("flushed");
    expect(events).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3", "flushed"]);
  });

  it("loses nothing when the engine refuses: that line and every later one go to stderr", async () => {
    let calls = 0;
    const { router, stderr } = lines(async () => {
      calls++;
      throw new Error("UNAVAILABLE");
    });
    withUrn(URN, () => {
      router.write("first");
      router.write("warning: second");
    });
    await router.flush();
    withUrn(URN, () => router.write("third"));
    await router.flush();
    expect(calls).toBe(1);
    expect(stderr).toEqual([
      "pulumi-auth0-permissions: first\n",
      "pulumi-auth0-permissions: warning: second\n",
      "pulumi-auth0-permissions: third\n",
    ]);
  });
});

describe("connectEngine, against a loopback server speaking the engine's Log RPC", () => {
  const hostRequire = createRequire(require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js"));
  let server: grpc.Server | undefined;
  afterEach(() => server?.forceShutdown());

  async function engine(answer: (request: { urn: string; severity: number; message: string }) => Error | null) {
    const services = hostRequire("../../proto/engine_grpc_pb") as { EngineService: grpc.ServiceDefinition };
    const received: { urn: string; severity: number; message: string; ephemeral: boolean }[] = [];
    server = new grpc.Server();
    server.addService(services.EngineService, {
      log(
        call: { request: { getUrn(): string; getSeverity(): number; getMessage(): string; getEphemeral(): boolean } },
        done: (error: Error | null, value?: unknown) => void,
      ) {
        const r = call.request;
        const request = { urn: r.getUrn(), severity: r.getSeverity(), message: r.getMessage() };
        received.push({ ...request, ephemeral: r.getEphemeral() });
        const error = answer(request);
        if (error) done(error);
        else done(null, new (hostRequire("google-protobuf/google/protobuf/empty_pb").Empty)());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const host: DynamicHost = { require: hostRequire, args: ["--logtostderr", `127.0.0.1:${port}`] };
    return { host, received };
  }

  it("sends each line with the resource's URN and the engine's severity", async () => {
    const { host, received } = await engine(() => null);
    const { router, stderr } = lines();
    expect(connectEngine(host, router)).toBe(true);
    withUrn(URN, () => {
      router.write("GET /a: HTTP 503; retry 1/6 in 0.3 s");
      router.write("warning: drift");
    });
    await router.flush();
    const severity = (hostRequire("../../proto/engine_pb") as { LogSeverity: Record<string, number> }).LogSeverity;
    expect(received).toEqual([
      { urn: URN, severity: severity["INFO"], message: "GET /a: HTTP 503; retry 1/6 in 0.3 s", ephemeral: false },
      { urn: URN, severity: severity["WARNING"], message: "drift", ephemeral: false },
    ]);
    expect(stderr).toEqual([]);
  });

  it("falls back to stderr when the engine answers with an error", async () => {
    const { host } = await engine(() => Object.assign(new Error("no"), { code: grpc.status.INTERNAL }));
    const { router, stderr } = lines();
    connectEngine(host, router);
    withUrn(URN, () => router.write("warning: drift"));
    await router.flush();
    expect(stderr).toEqual(["pulumi-auth0-permissions: warning: drift\n"]);
  });

  it("connects nothing when the host was given no engine address", () => {
    const { router } = lines();
    expect(connectEngine({ require: hostRequire, args: [] }, router)).toBe(false);
    expect(connectEngine({ require: hostRequire, args: ["--logtostderr"] }, router)).toBe(false);
  });
});
