// Makes `require("pulumi-auth0-permissions/provider")` resolve inside this repository, as it does
// in a user's project: the serialized provider requires the package by name, and the repository's
// own Pulumi program (Pulumi.yaml at the root) and tests run from here. Development only: npm runs
// `prepare` (and so `build`) for a git checkout, never for a user installing the published tarball;
// `build` re-creates the link because `npm install <pkg>` prunes it.
import { existsSync, lstatSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const link = join(root, "node_modules", "pulumi-auth0-permissions");
if (existsSync(join(root, "node_modules")) && !lstatSafe(link)) {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync("..", link, "junction");
}

function lstatSafe(path) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
