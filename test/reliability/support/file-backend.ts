import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { inject } from "vitest";

/**
 * Pulumi's file (diy) backend as a kill can leave it, and the README's repair.
 *
 * The backend stores every file through gocloud.dev's fileblob, which writes the data to a temporary
 * file and renames it into place (a kill never truncates `<stack>.json`), but first rewrites the
 * file's metadata sidecar `<file>.attrs` in place: `os.Create` (truncate to 0 bytes), then one JSON
 * write (fileblob/attrs.go `setAttrs`, called from the writer's Close before the rename). A kill
 * between the two leaves a zero-length sidecar; every later read of that file decodes it with
 * `json.Decoder`, which answers `EOF`, so Pulumi reports "failed to load checkpoint: EOF" for a
 * stack whose checkpoint is intact: the last one the engine finished saving. (Copying
 * `<stack>.json.bak` over it changes nothing: the sidecar stays empty.)
 *
 * The sidecar only holds a content type and an MD5 that Pulumi never reads; without one, fileblob
 * reads the file as it is. So the repair is to delete the empty sidecars, as the README says:
 * `find <backend>/.pulumi -name '*.attrs' -size 0 -delete`.
 */

/** The e2e suite's backend directory (the file:// URL of every test stack). */
export function backendDir(): string {
  return join(inject("e2e").workDir, "backend");
}

/** The stack's checkpoint file (the data, not its sidecar). */
export function checkpointPath(project: string, stack: string, root: string = backendDir()): string {
  return join(root, ".pulumi", "stacks", project, `${stack}.json`);
}

/** The zero-length sidecars under `.pulumi`, relative to it. */
export function emptySidecars(root: string = backendDir()): string[] {
  return findEmptySidecars(root, []);
}

/** The README's repair, run as written: deletes the zero-length sidecars; returns them, relative to `.pulumi`. */
export function deleteEmptySidecars(root: string = backendDir()): string[] {
  return findEmptySidecars(root, ["-delete"]);
}

function findEmptySidecars(root: string, action: string[]): string[] {
  const dir = join(root, ".pulumi");
  const printed = execFileSync("find", [dir, "-name", "*.attrs", "-size", "0", "-print", ...action], {
    encoding: "utf8",
  });
  return printed
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => relative(dir, line));
}

/** Which file of the backend a sidecar (relative to `.pulumi`) belongs to. */
export function sidecarOwner(path: string): "checkpoint" | "checkpoint .bak" | "lock" | "history" | "backup" | "other" {
  if (path.startsWith("locks/")) return "lock";
  if (path.startsWith("history/")) return "history";
  if (path.startsWith("backups/")) return "backup";
  if (path.startsWith("stacks/") && path.endsWith(".json.bak.attrs")) return "checkpoint .bak";
  if (path.startsWith("stacks/") && path.endsWith(".json.attrs")) return "checkpoint";
  return "other";
}

/** The symptom of an empty sidecar in a command's output. */
export function isEmptySidecarSymptom(output: string): boolean {
  return /failed to load checkpoint: EOF|error: EOF\b/.test(output);
}
