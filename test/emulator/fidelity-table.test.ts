import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const table = readFileSync(resolve(root, "docs/emulator-fidelity.md"), "utf8");
// Only table rows cite tests; the introduction explains the `file › title` form with placeholders.
const rows = table.split("\n").filter((line) => /^\| (?!Behaviour|Source|---)/.test(line) && line.includes(" › "));
const citations = rows.flatMap((row) =>
  [...row.matchAll(/`([a-z-]+) › ([^`]+)`/g)].map((match) => ({ file: match[1] ?? "", title: match[2] ?? "" })),
);

describe("docs/emulator-fidelity.md", () => {
  it("every behaviour row names at least one pinning test", () => {
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) expect(row).toMatch(/`[a-z-]+ › [^`]+`/);
  });

  it("every Auth0 behaviour row has a CONFIRMED, SPEC, DOC or ASSUMED source", () => {
    const auth0Part = table.split("## Emulator mechanics")[0] ?? "";
    const auth0Rows = rows.filter((row) => auth0Part.includes(row));
    for (const row of auth0Rows) expect(row).toMatch(/\| (CONFIRMED|SPEC|DOC|ASSUMED)\b/);
  });

  it.each(citations.map((citation) => [`${citation.file} › ${citation.title}`, citation] as const))(
    "cites an existing test: %s",
    (_label, { file, title }) => {
      const path = resolve(root, "test/emulator", `${file}.test.ts`);
      expect(existsSync(path), `${path} exists`).toBe(true);
      expect(readFileSync(path, "utf8")).toContain(`"${title}"`);
    },
  );
});
