import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Once per reliability run, in the main process: a fresh directory for the figures every test file
 * appends to, and the Pulumi CLI version in use. The reporter (support/reporter.ts), also in the
 * main process, reads both at the end.
 */
export default async function setup(): Promise<void> {
  if (process.env["RELIABILITY_FIGURES_DIR"] === undefined) {
    mkdirSync(tmpdir(), { recursive: true });
    process.env["RELIABILITY_FIGURES_DIR"] = mkdtempSync(join(tmpdir(), "auth0-permissions-reliability-"));
  }
  const cli = await import(join(__dirname, "..", "..", "..", "scripts", "pulumi-cli.mjs"));
  const { version } = (await cli.ensurePulumiCli({ log: () => {} })) as { version: string };
  process.env["RELIABILITY_PULUMI_VERSION"] = version;
}
