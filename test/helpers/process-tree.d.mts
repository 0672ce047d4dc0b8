/** One process below a root, from /proc (process-tree.mjs, shared with bench/lib/process-memory.mjs). */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Its command line, split; empty for a kernel thread. */
  readonly argv: readonly string[];
}

/** A process's command line, split; undefined when it is gone. */
export declare function argvOf(pid: number): string[] | undefined;

/** Everything `rootPid` started, transitively, breadth first, without the root itself. */
export declare function descendants(rootPid: number): ProcessInfo[];

/** A memory figure of /proc/<pid>/status in kB, or undefined when the process is gone. */
export declare function statusKb(pid: number, field: "VmHWM" | "VmRSS"): number | undefined;
