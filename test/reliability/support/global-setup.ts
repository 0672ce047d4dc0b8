import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Once per reliability run, in the main process: a fresh directory for the figures every test file
 * appends to. The reporter (support/reporter.ts), also in the main process, reads it at the end.
 */
export default function setup(): void {
  if (process.env["RELIABILITY_FIGURES_DIR"] === undefined) {
    mkdirSync(tmpdir(), { recursive: true });
    process.env["RELIABILITY_FIGURES_DIR"] = mkdtempSync(join(tmpdir(), "auth0-permissions-reliability-"));
  }
}
