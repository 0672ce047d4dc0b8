// The processes a command started, read from /proc (Linux only). Shared by the reliability tests
// (test/reliability/support/cli.ts, through process-tree.d.mts) and bench/lib/process-memory.mjs (plain node).
import { readFileSync, readdirSync } from "node:fs";

/** The parent pid of a process, or undefined when it is gone. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: fields start after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** A process's command line, split; undefined when it is gone. */
export function argvOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((arg) => arg !== "");
  } catch {
    return undefined;
  }
}

/**
 * Everything `rootPid` started, transitively, as long as they are still its descendants (an orphan
 * re-parented to init is not), breadth first, without the root itself. A process that exits while
 * we look is left out.
 */
export function descendants(rootPid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const found = [];
  const queue = [rootPid];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const pid of children.get(parent) ?? []) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      queue.push(pid);
      const argv = argvOf(pid);
      if (argv !== undefined) found.push({ pid, ppid: parent, argv });
    }
  }
  return found;
}

/** A memory figure of /proc/<pid>/status in kB (VmHWM: the peak resident set so far), or undefined when gone. */
export function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
