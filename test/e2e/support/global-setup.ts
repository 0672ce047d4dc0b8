import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";

/**
 * Once per e2e run: the Pulumi CLI (built and cached on first use), the package packed with
 * `npm pack`, and a scratch project that installs the tarball as a user would. Every test
 * program lives in a folder below that project and resolves the installed package from there.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const repo = join(__dirname, "..", "..", "..");
  const cli = await import(join(repo, "scripts", "pulumi-cli.mjs"));
  const { binDir, version } = await cli.ensurePulumiCli({ log: (line: string) => console.error(`[e2e] ${line}`) });
  const workDir = mkdtempSync(join(tmpdir(), "auth0-permissions-e2e-"));
  const tarball = packPackage(repo, join(workDir, "packs"));
  const projectDir = join(workDir, "project");
  installProject(repo, projectDir, tarball);
  project.provide("e2e", {
    binDir,
    cliVersion: version,
    nodeBinDir: dirname(process.execPath),
    workDir,
    projectDir,
    tarball,
    repo,
  });
  return () => {
    if (!process.env["KEEP_E2E"]) rmSync(workDir, { recursive: true, force: true });
  };
}

/** `npm pack` of the repository, as published: only what `files` lists. */
export function packPackage(repo: string, destination: string): string {
  mkdirSync(destination, { recursive: true });
  const output = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", destination], {
    cwd: repo,
    encoding: "utf8",
  });
  const name = output.trim().split("\n").pop()!;
  return join(destination, name);
}

/** A user's project: the packed library, @pulumi/pulumi at our pinned version, and TypeScript. */
export function installProject(repo: string, projectDir: string, tarball: string): void {
  mkdirSync(projectDir, { recursive: true });
  const ours = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const manifest = {
    name: "e2e-user-project",
    private: true,
    dependencies: {
      "pulumi-auth0-permissions": `file:${tarball}`,
      "@pulumi/pulumi": ours.devDependencies["@pulumi/pulumi"],
      // For the example policy pack (an optional peer of ours).
      "@pulumi/policy": ours.devDependencies["@pulumi/policy"],
      typescript: ours.devDependencies["typescript"],
      "@types/node": ours.devDependencies["@types/node"],
    },
  };
  writeFileSync(join(projectDir, "package.json"), JSON.stringify(manifest, null, 2));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: projectDir,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: {
      binDir: string;
      cliVersion: string;
      nodeBinDir: string;
      workDir: string;
      projectDir: string;
      tarball: string;
      repo: string;
    };
  }
}
