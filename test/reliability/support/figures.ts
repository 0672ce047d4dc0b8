import { appendFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Figures the suite measures. Every test file appends what it counted to one JSON-lines file; the
 * reporter (support/reporter.ts) adds them up at the end of a full run and writes docs/reliability.md.
 * Nothing here is ever typed by hand: a figure exists only if a test counted it.
 */
export interface Figure {
  /** Section of docs/reliability.md, e.g. "Faults". */
  readonly section: string;
  /** Row label, e.g. "429 with Retry-After: faulty answers served". */
  readonly key: string;
  readonly value: number | string;
  /** How repeated records of one key combine: add numbers, keep the largest, or keep the latest. */
  readonly combine: "sum" | "max" | "last";
  /** Optional unit shown after the value, e.g. "MiB". */
  readonly unit?: string;
}

/** Whether the whole matrix runs (`npm run test:reliability`) or the quick subset of `npm test`. */
export const FULL = process.env["RELIABILITY"] === "full";

export function figuresFile(): string {
  const dir = process.env["RELIABILITY_FIGURES_DIR"] ?? join(tmpdir(), "auth0-permissions-reliability-figures");
  mkdirSync(dir, { recursive: true });
  return join(dir, "figures.jsonl");
}

export function record(
  section: string,
  key: string,
  value: number | string,
  combine: Figure["combine"] = "sum",
  unit?: string,
): void {
  const figure: Figure = unit === undefined ? { section, key, value, combine } : { section, key, value, combine, unit };
  appendFileSync(figuresFile(), `${JSON.stringify(figure)}\n`);
}

/** Several counts of one section, each added up over the records of its key. */
export function recordCounts(section: string, counts: Record<string, number>): void {
  for (const [key, value] of Object.entries(counts)) record(section, key, value);
}

/** Adds records up: sums, maxima and latest values per (section, key), in first-seen order. */
export function combineFigures(figures: readonly Figure[]): Figure[] {
  const merged = new Map<string, Figure>();
  for (const figure of figures) {
    const id = `${figure.section}\u0000${figure.key}`;
    const before = merged.get(id);
    if (before === undefined) {
      merged.set(id, figure);
      continue;
    }
    let value = figure.value;
    if (typeof before.value === "number" && typeof figure.value === "number") {
      if (figure.combine === "sum") value = before.value + figure.value;
      if (figure.combine === "max") value = Math.max(before.value, figure.value);
    }
    merged.set(id, { ...before, value });
  }
  return [...merged.values()];
}
