import { createRequire } from "node:module";
import * as path from "node:path";

/**
 * The @pulumi/pulumi dynamic provider host (`cmd/dynamic-provider`) this process runs in, when it is
 * recognised: its main module's `require` (to reach the host's own copies of its gRPC messages) and its
 * arguments. The bridges that adapt the host (detailed-diff-bridge.ts, request-urn.ts, engine-log.ts) start
 * here; outside the host (tests, a program) there is none, and they change nothing.
 */
export interface DynamicHost {
  /** Requires relative to the host's main module, e.g. `../../proto/provider_pb`. */
  readonly require: NodeJS.Require;
  /** The host's arguments after `node <main>`: the engine passes its flags, then its own address, last. */
  readonly args: readonly string[];
}

const HOST_MAIN = path.join("@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");

export function dynamicHost(
  main: string | undefined = require.main?.filename,
  argv: readonly string[] = process.argv,
): DynamicHost | undefined {
  if (main === undefined || !main.endsWith(HOST_MAIN)) return undefined;
  return { require: createRequire(main), args: argv.slice(2) };
}
