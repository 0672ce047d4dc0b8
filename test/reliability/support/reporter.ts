import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import { combineFigures, type Figure } from "./figures";

/**
 * Writes docs/reliability.md at the end of a full run (`npm run test:reliability`) from the figures
 * the test files recorded. Every number in the document comes from this run's figures file; the
 * document also says how many tests passed, so a failing run cannot pass for a good one.
 */
export default class ReliabilityReporter implements Reporter {
  private startedAt = Date.now();

  onInit(): void {
    this.startedAt = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env["RELIABILITY"] !== "full") return;
    const dir = process.env["RELIABILITY_FIGURES_DIR"];
    const file = dir === undefined ? undefined : join(dir, "figures.jsonl");
    if (file === undefined || !existsSync(file)) {
      console.error("reliability reporter: no figures were recorded; docs/reliability.md left as it is");
      return;
    }
    const figures = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Figure);
    const tests = { passed: 0, failed: 0, skipped: 0 };
    const files: string[] = [];
    for (const module of testModules) {
      if (module.project.name !== "reliability") continue;
      files.push(module.moduleId.replace(/^.*\/test\/reliability\//, "test/reliability/"));
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") tests.passed++;
        else if (state === "failed") tests.failed++;
        else tests.skipped++;
      }
    }
    const minutes = ((Date.now() - this.startedAt) / 60_000).toFixed(1);
    const target = join(__dirname, "..", "..", "..", "docs", "reliability.md");
    writeFileSync(target, render(combineFigures(figures), tests, files.sort(), minutes));
    console.error(`reliability reporter: wrote ${target} (${tests.passed} passed, ${tests.failed} failed)`);
  }
}

const SECTION_ORDER = [
  "Faults",
  "Interruption",
  "Moves",
  "Model-based",
  "Bad input",
  "Secrets",
  "Concurrency",
  "Scale",
];

const SECTION_TEXT: Record<string, string> = {
  Faults:
    "Faults injected through the emulator during real `pulumi up` and `pulumi destroy` runs (the packed package, " +
    "the real CLI). A fault scenario is one kind of fault injected into one run. It ends in one of two accepted " +
    "ways: the run converges (the tenant equals the declared state and nothing else changed), or it fails with a " +
    'clear error and the next run, without the fault, converges. "Faulty answers served" counts the emulator\'s ' +
    "request-log entries that carried the fault (a 429, a 5xx, a reset or hung connection, a 401 for an expired " +
    "token, a failed token request; for answers lost after the write was applied, the writes sent again). The " +
    "partial-failure rows fail a create or update after its first request and check that the next run, or a " +
    "destroy, loses nothing.",
  Interruption:
    "`pulumi up` and `pulumi destroy` killed after a random number of tenant answers, with SIGINT to the CLI " +
    "(Ctrl-C; Pulumi starts its plugins in their own process groups, so only the CLI gets it), SIGKILL to the CLI " +
    "and every process below it (a runner killed outright), or SIGKILL to the CLI alone. Then the README's " +
    'recovery (the row "recovery procedure verified"), then `pulumi up`: a run converges when the tenant then ' +
    "equals the declared state, nothing lost and nothing extra. Each run then ends with `pulumi destroy`, which " +
    "must bring back the seed exactly, with no exception: a RolePermissionRemoval's record is saved by its plan " +
    "before anything is removed. Half of the SIGKILL runs during creates and updates are killed 0-30 ms after a " +
    "role's DELETE was answered, before Pulumi could save the removal; 4 are killed (strace) exactly while the file " +
    "backend rewrites the checkpoint's `.attrs` sidecar. A kill that leaves an empty sidecar is repaired as the " +
    "README says (delete it) and counted. A failed run is counted; the next starts from a reset tenant and a fresh " +
    "stack. After SIGKILL to the CLI alone, its plugin processes keep running until killed.",
  Moves:
    "A permission moved between two resources in each `pulumi up`, through the real CLI: UserPermissions A drops " +
    "read:reports for a user while B adds it, and RolePermissionRemoval R1 stops removing delete:reports from a " +
    "role while R2 starts; each trial moves both back the other way. After every up the tenant must equal the " +
    "program exactly, and the final destroy must bring back the seed exactly.",
  "Model-based":
    "fast-check sequences of program changes, out-of-band tenant edits and `up` / `up --refresh`, ending with a " +
    "destroy. After every `up` the tenant must equal the model exactly: declared grants present, declared " +
    "removals absent, everything unmanaged unchanged.",
  "Bad input":
    "Malformed inputs, each declared alone: rejected at `pulumi preview` with a message naming the problem and " +
    "no request to the tenant, or (for what only the tenant knows) a documented error at `pulumi up` that names " +
    "the user or role and changes nothing.",
  Secrets:
    "Every artifact of every run above, scanned for the client secret(s), every access token the emulator issued " +
    "(and its signature alone), and anything JWT-shaped or `Bearer ...`. Pulumi's own engine log at `-v=9` is " +
    "counted apart: it prints the dynamic provider's Configure inputs, which are the decrypted stack config, so " +
    "a client secret kept in stack config appears there (not at `-v=8`, and not when the secret comes from " +
    "AUTH0_CLIENT_SECRET). That line is Pulumi's logging, not this library's.",
  Concurrency: "Many resources on the same user and the same role in one deployment, checked exactly.",
  Scale: "A user at Auth0's cap of 1000 direct permissions, through the real CLI, checked exactly at every step.",
};

function render(
  figures: Figure[],
  tests: { passed: number; failed: number; skipped: number },
  files: string[],
  minutes: string,
): string {
  const bySection = new Map<string, Figure[]>();
  for (const figure of figures) {
    const list = bySection.get(figure.section) ?? [];
    list.push(figure);
    bySection.set(figure.section, list);
  }
  const sections = [
    ...SECTION_ORDER.filter((s) => bySection.has(s)),
    ...[...bySection.keys()].filter((s) => !SECTION_ORDER.includes(s)),
  ];
  const lines: string[] = [
    "# Reliability and security figures",
    "",
    "Generated by `npm run test:reliability` (the `reliability` vitest project with `RELIABILITY=full`); do not",
    "edit by hand. Every figure below was counted by that run. To reproduce:",
    "",
    "```sh",
    "npm ci",
    "npm run test:reliability        # writes this file; RELIABILITY_SEED=<n> fixes the random seeds",
    "```",
    "",
    "`npm test` runs the quick subset (`test/reliability/quick/`, fewer cases and scenarios) and writes nothing.",
    "",
    `Run: ${new Date().toISOString()}, ${minutes} min, ${cpus().length} CPU(s), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.versions.node}, Pulumi CLI ${process.env["RELIABILITY_PULUMI_VERSION"] ?? "(unknown)"}. ` +
      `Tests: **${tests.passed} passed, ${tests.failed} failed**` +
      `${tests.skipped > 0 ? `, ${tests.skipped} skipped` : ""}.`,
    "",
  ];
  if (tests.failed > 0) lines.push("**This run had failures: the figures below are not a clean bill of health.**", "");
  for (const section of sections) {
    lines.push(`## ${section}`, "");
    const text = SECTION_TEXT[section];
    if (text) lines.push(text, "");
    lines.push("| figure | value |", "|---|---|");
    for (const figure of bySection.get(section) ?? []) {
      const value = typeof figure.value === "number" ? formatNumber(figure.value) : figure.value;
      lines.push(`| ${escapeCell(figure.key)} | ${escapeCell(`${value}${figure.unit ? ` ${figure.unit}` : ""}`)} |`);
    }
    lines.push("");
  }
  lines.push("## Test files", "", ...files.map((f) => `- \`${f}\``), "");
  return lines.join("\n");
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
