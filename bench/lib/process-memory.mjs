// Peak memory of the processes a `pulumi` command starts, read from /proc (Linux only).
//
// Every `intervalMs` the poller lists the descendants of one root pid (the `pulumi` we spawned,
// so other workers' Pulumi runs on the same machine are never counted), classifies them and
// keeps the largest VmHWM ("high water mark": peak resident set size since the process started)
// seen for each class. VmHWM is monotonic, so a sample taken any time before the process exits
// is a lower bound of its true peak, and the last sample is usually the peak itself.
import { basename } from "node:path";
import { argvOf, descendants, statusKb } from "../../test/helpers/process-tree.mjs";

/** What a process is, from its command line; undefined = not interesting. */
export function classify(argv, rootPid, pid) {
  if (pid === rootPid) return "engine";
  if (argv.length === 0) return undefined;
  const exe = basename(argv[0]);
  // Our dynamic provider: `node .../@pulumi/pulumi/cmd/dynamic-provider <engine address>`, started by
  // the pulumi-resource-pulumi-nodejs script. The script's own `node -e "...require.resolve(...)"`
  // mentions the same path inside -e code and must not count.
  if (
    exe === "node" &&
    !argv.includes("-e") &&
    argv.slice(1).some((a) => /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(a))
  ) {
    return "provider";
  }
  // The peer: the bridged Terraform provider plugin.
  if (exe === "pulumi-resource-auth0") return "provider";
  if (exe === "pulumi-language-nodejs") return "langhost";
  if (exe === "node" && argv.slice(1).some((a) => /[\\/]cmd[\\/]run([\\/]index\.js)?$/.test(a))) return "program";
  return undefined;
}

/**
 * Starts polling. `stop()` takes one last sample and returns, per class, the peak in bytes and the
 * number of distinct processes seen (a provider started twice would show up as 2).
 */
export function watchProcessTree(rootPid, { intervalMs = 200 } = {}) {
  const argvCache = new Map(); // pid -> kind, once known
  const peaks = new Map(); // pid -> { kind, peak }
  const sample = () => {
    let tree;
    try {
      tree = [{ pid: rootPid, argv: argvOf(rootPid) }, ...descendants(rootPid)];
    } catch {
      return;
    }
    for (const { pid, argv } of tree) {
      let kind = argvCache.get(pid);
      if (kind === undefined) {
        if (argv === undefined) continue;
        kind = classify(argv, rootPid, pid);
        // Only a classified process is remembered: a child that has not exec'd yet still shows its
        // parent's command line, and must be looked at again.
        if (kind === undefined) continue;
        argvCache.set(pid, kind);
      }
      const peakKb = statusKb(pid, "VmHWM");
      if (peakKb === undefined) continue;
      const peak = peakKb * 1024;
      const previous = peaks.get(pid);
      peaks.set(pid, { kind, peak: Math.max(previous?.peak ?? 0, peak) });
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      const byKind = {};
      for (const { kind, peak } of peaks.values()) {
        const entry = (byKind[kind] ??= { peakBytes: 0, processes: 0 });
        entry.peakBytes = Math.max(entry.peakBytes, peak);
        entry.processes++;
      }
      return byKind;
    },
  };
}
