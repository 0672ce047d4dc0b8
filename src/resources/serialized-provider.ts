import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider";
import { forwardingProvider } from "./forwarding-provider";

const PACKAGE_NAME = "pulumi-auth0-permissions";

/**
 * The provider object a resource hands to Pulumi, which serializes it into state.
 *
 * `installed` is the forwarder module's own `module.exports` (`forwarders/`), which Pulumi writes as
 * `require("pulumi-auth0-permissions/provider/<kind>")` when it can name it from its path: the first
 * `node_modules` segment of the path relative to the working directory must be followed by this
 * package (older Pulumi SDKs cut pnpm's `.pnpm/...` paths there too). A copy nested under another
 * package (`node_modules/other/node_modules/pulumi-auth0-permissions`), a pnpm store, or a linked
 * checkout would be written as a path that breaks once the layout changes, or not at all. There, a
 * fresh forwarder is used instead, which Pulumi writes as its function text (2.4 KB, the 0.1.0 form).
 */
export function serializedProvider(
  kind: ResourceKind,
  installed: pulumi.dynamic.ResourceProvider,
  file: string,
  cwd = process.cwd(),
): pulumi.dynamic.ResourceProvider {
  return requirableByName(file, cwd) ? installed : forwardingProvider(kind);
}

/** Whether Pulumi's closure serializer names `file` as a module of this package, by its export name. */
export function requirableByName(file: string, cwd: string): boolean {
  const parts = path.relative(cwd, file).split(path.sep);
  if (parts.includes(".pnpm")) return false;
  const first = parts.indexOf("node_modules");
  return first >= 0 && parts[first + 1] === PACKAGE_NAME;
}
