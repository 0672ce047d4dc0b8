import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "..");

interface PackedFile {
  readonly path: string;
}

/** What `npm pack` would put in the tarball, without running the build (`npm test` builds first). */
function packedPaths(): string[] {
  const json = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const [pack] = JSON.parse(json) as { files: PackedFile[] }[];
  if (pack === undefined) throw new Error(`npm pack --dry-run --json printed no package: ${json.slice(0, 200)}`);
  return pack.files.map((file) => file.path).sort();
}

describe("the published package", () => {
  it("holds only dist, the README, the LICENSE, the CHANGELOG and package.json: no test, bench or map file", () => {
    expect(existsSync(join(root, "dist", "index.js")), "run `npm run build` first").toBe(true);
    const paths = packedPaths();
    const outsideDist = paths.filter((path) => !path.startsWith("dist/"));
    expect(outsideDist).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "package.json"]);
    expect(paths.filter((path) => path.endsWith(".map"))).toEqual([]);
    expect(paths.filter((path) => /(^|\/)(test|tests|bench|__tests__)\/|\.test\.[cm]?[jt]s$/.test(path))).toEqual([]);
    expect(paths.filter((path) => path.startsWith("dist/") && !/\.(js|d\.ts)$/.test(path))).toEqual([]);
  });

  it("holds every file that package.json points at", () => {
    const paths = new Set(packedPaths());
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      main: string;
      types: string;
      bin: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === "string" ? [target] : Object.values(target),
      ),
    ].map((target) => target.replace(/^\.\//, ""));
    expect(targets.filter((target) => !paths.has(target))).toEqual([]);
  });
});
