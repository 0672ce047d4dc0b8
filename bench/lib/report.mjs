// Turns a results document (bench/run.mjs) into <date>.json, <date>.md and <date>-wall-vs-n.svg.
// Pure text generation: no network, no dependencies.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const key = (s) => `${s.kind} ${s.profile} N=${s.n} M=${s.m}${s.variant ? ` (${s.variant})` : ""}`;
const fmt = (x, digits = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));

export function writeReports(document, outDir, name) {
  mkdirSync(outDir, { recursive: true });
  const stem = name ?? document.date.slice(0, 10);
  const files = {
    json: join(outDir, `${stem}.json`),
    md: join(outDir, `${stem}.md`),
    svg: join(outDir, `${stem}-wall-vs-n.svg`),
  };
  document.targets = evaluateTargets(document);
  writeFileSync(files.json, `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(files.svg, chartSvg(document));
  writeFileSync(files.md, markdown(document, `${stem}-wall-vs-n.svg`));
  return Object.values(files);
}

function phaseOf(scenario, phase) {
  return scenario.phases?.find((p) => p.phase === phase);
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Runs of one implementation and workload (several with --repeat), and the median wall time of a phase. */
function runsOf(document, impl, k) {
  return document.scenarios.filter((s) => s.impl === impl && key(s) === k);
}
function medianWall(runs, phase) {
  return median(runs.map((s) => phaseOf(s, phase)?.wallSeconds));
}

// ---------------------------------------------------------------------------------------------
// Targets (issue 6), judged from the figures

export function evaluateTargets(document) {
  // Variants (engine settings changed for attribution) are reported, not judged.
  const ours = document.scenarios.filter((s) => s.impl === "ours" && !s.variant);
  const all = (pred) => ours.flatMap((s) => (s.phases ?? []).map((p) => ({ s, p }))).filter(pred);
  const targets = [];
  const add = (name, rows, check, describe) => {
    if (rows.length === 0)
      return targets.push({ target: name, status: "not measured", evidence: "no scenario in this run" });
    const failing = rows.filter((r) => !check(r));
    targets.push({ target: name, status: failing.length === 0 ? "met" : "missed", evidence: describe(rows, failing) });
  };
  const where = ({ s, p }) => `${key(s)} ${p.phase}`;

  add(
    "pulumi preview sends zero requests to the tenant",
    all(({ p }) => p.phase === "preview"),
    ({ p }) => p.requests.api === 0 && p.requests.tokens === 0,
    (rows, bad) =>
      bad.length
        ? bad.map((r) => `${where(r)}: ${r.p.requests.api} API + ${r.p.requests.tokens} token`).join("; ")
        : `${rows.length} previews, 0 requests each`,
  );
  add(
    "pulumi up sends the minimum number of write requests",
    all(({ p }) => p.phase === "up" || p.phase === "up again"),
    ({ p }) => p.requests.writes === p.minimum.writes,
    (rows, bad) =>
      bad.length
        ? bad.map((r) => `${where(r)}: ${r.p.requests.writes} writes, minimum ${r.p.minimum.writes}`).join("; ")
        : `${rows.length} runs, writes = minimum in each`,
  );
  add(
    "pulumi up reads only where a read is needed",
    all(({ p }) => p.phase === "up" || p.phase === "up again"),
    ({ p }) => p.requests.reads === p.minimum.reads,
    (rows, bad) =>
      bad.length
        ? bad.map((r) => `${where(r)}: ${r.p.requests.reads} reads, needed ${r.p.minimum.reads}`).join("; ")
        : `${rows.length} runs, reads = needed in each (users: none; role removals: one list per role)`,
  );
  add(
    "one token request per deployment",
    all(({ p }) => p.requests.api > 0 || p.requests.tokens > 0),
    ({ p }) => p.requests.tokens === 1,
    (rows, bad) =>
      bad.length
        ? bad.map((r) => `${where(r)}: ${r.p.requests.tokens} token requests`).join("; ")
        : `${rows.length} deployments that reached the tenant, 1 token request each`,
  );
  add(
    "free profile, N ≥ 100: no 429 surfaces as a failure, and wall ≤ 1.25 × bound",
    all(({ s, p }) => s.profile === "free" && s.n >= 100 && p.bound.seconds > 0),
    ({ p }) => p.exitCode === 0 && p.stateOk !== false && p.wallSeconds <= 1.25 * p.bound.seconds,
    (rows, bad) =>
      rows
        .map(
          (r) =>
            `${where(r)}: ${fmt(r.p.wallSeconds)} s = ${fmt(r.p.wallSeconds / r.p.bound.seconds, 2)} × bound ${fmt(r.p.bound.seconds)} s, ${r.p.requests.status429} × 429, exit ${r.p.exitCode}`,
        )
        .join("; ") + (bad.length ? "" : ""),
  );
  const enterprise = all(({ s, p }) => s.profile === "enterprise" && p.efficiency !== null);
  const largest = Math.max(0, ...enterprise.map((r) => r.s.n));
  add(
    `enterprise profile: efficiency ≥ 0.8 (judged at the largest N measured, ${largest}; smaller N are dominated by the engine's fixed start-up)`,
    enterprise.filter((r) => r.s.n === largest),
    ({ p }) => p.efficiency >= 0.8,
    (rows) => rows.map((r) => `${where(r)}: ${fmt(r.p.efficiency, 2)}`).join("; "),
  );
  const upNone = [...new Map(ours.filter((s) => s.profile === "none" && s.n === 500).map((s) => [key(s), s])).values()];
  const pairs = upNone
    .map((s) => ({
      s,
      runs: runsOf(document, "ours", key(s)).length,
      p: medianWall(runsOf(document, "ours", key(s)), "up"),
      q: medianWall(runsOf(document, "peer", key(s)), "up"),
      peerStopped: runsOf(document, "peer", key(s)).some((x) => phaseOf(x, "up")?.timedOut),
    }))
    .filter((r) => r.p !== undefined && r.q !== undefined);
  add(
    "no limit, N = 500: pulumi up no slower than @pulumi/auth0",
    pairs,
    ({ p, q }) => p <= q,
    (rows) =>
      rows
        .map(
          (r) =>
            `${key(r.s)}: ours ${fmt(r.p)} s, @pulumi/auth0 ${r.peerStopped ? "> " : ""}${fmt(r.q)} s (ratio ${r.peerStopped ? "< " : ""}${fmt(r.p / r.q, 2)}${r.runs > 1 ? `, medians of ${r.runs} runs` : ""}${r.peerStopped ? "; the peer was stopped at the phase time limit" : ""})`,
        )
        .join("; "),
  );
  add(
    "dynamic provider process peaks under 200 MB at N = 500",
    all(({ s, p }) => s.n === 500 && p.providerPeakMb !== null),
    ({ p }) => p.providerPeakMb < 200,
    (rows) =>
      [...new Set(rows.map((r) => r.s.m))]
        .map((m) => {
          const atM = rows.filter((r) => r.s.m === m);
          const peak = atM.reduce((a, r) => (r.p.providerPeakMb > a.p.providerPeakMb ? r : a));
          const under = atM.filter((r) => r.p.providerPeakMb < 200).length;
          return `M=${m}: highest ${fmt(peak.p.providerPeakMb)} MB (${peak.p.phase}), ${under} of ${atM.length} phases under 200 MB`;
        })
        .join("; "),
  );
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Markdown

function endpoints(requests) {
  return Object.entries(requests.byEndpoint)
    .sort((a, b) => b[1] - a[1])
    .map(([e, c]) => `${c} ${e.replace("/api/v2", "").replace("/oauth/token", "token")}`)
    .join(", ");
}

export function markdown(document, svgName) {
  const lines = [];
  const { machine, versions } = document;
  lines.push(
    `# Benchmark results, ${document.date.slice(0, 16).replace("T", " ")} UTC${document.quick ? " (quick run)" : ""}`,
  );
  lines.push("");
  lines.push(
    `Machine: ${machine.cpus} × ${machine.cpuModel ?? "cpu"}, ${machine.memoryGb} GB; ${machine.note}. ` +
      `Run took ${Math.round(document.durationSeconds / 60)} min.`,
  );
  lines.push(
    `Versions: Node ${versions.node}, Pulumi CLI ${versions.pulumiCli}, @pulumi/pulumi ${versions.pulumiSdk}, ours ${versions.ours}` +
      (versions.peerSdk ? `, @pulumi/auth0 ${versions.peerSdk}` : "") +
      ".",
  );
  const plugin = versions.peerPlugin;
  if (plugin?.error)
    lines.push("", `**The peer could not run**: its provider plugin did not build:`, "", "```", plugin.error, "```");
  else if (plugin?.terraformProvider)
    lines.push(
      `Peer plugin: pulumi-resource-auth0 built here from ${plugin.terraformProvider} + ${plugin.bridge} (${plugin.go}); see tools/pulumi-auth0-provider/README.md.`,
    );
  lines.push("");
  lines.push(
    "Every phase starts with a full rate-limit bucket. *bound* = the fewest API requests the phase needs and the seconds they take " +
      "at the profile's rate after the burst; *eff* = bound ÷ wall. *load* = 1-minute load average during the phase (2 cores).",
  );
  lines.push("");

  lines.push("## Ours against @pulumi/auth0", "");
  const repeated = document.scenarios.some((s) => (s.run ?? 1) > 1);
  if (repeated) lines.push("Wall times are medians over the repeated runs; requests are from the first run.", "");
  lines.push(
    "| workload | phase | ours wall s | peer wall s | ours ÷ peer | ours requests (r/w/token/429) | peer requests (r/w/token/429) |",
  );
  lines.push("|---|---|--:|--:|--:|---|---|");
  const seen = new Set();
  for (const s of document.scenarios.filter((x) => x.impl === "ours")) {
    if (seen.has(key(s))) continue;
    seen.add(key(s));
    const oursRuns = runsOf(document, "ours", key(s));
    const peerRuns = runsOf(document, "peer", key(s));
    const q = peerRuns[0];
    for (const p of s.phases ?? []) {
      const pq = q ? phaseOf(q, p.phase) : undefined;
      const a = medianWall(oursRuns, p.phase);
      const b = medianWall(peerRuns, p.phase);
      const req = (x) =>
        x ? `${x.requests.reads}/${x.requests.writes}/${x.requests.tokens}/${x.requests.status429}` : "–";
      lines.push(
        `| ${key(s)} | ${p.phase} | ${fmt(a)} | ${fmt(b)} | ${a !== undefined && b ? fmt(a / b, 2) : "–"} | ${req(p)} | ${req(pq)} |`,
      );
    }
  }
  lines.push("");
  lines.push(
    "Semantic difference: `auth0.UserPermissions` is authoritative (it owns every direct permission of the user; the bench users hold " +
      "no others, so the end state is the same). For roles there is no removal resource: `auth0.RolePermissions` declares the permissions " +
      "that remain. Its create only adds (no-ops) and reads, so the removal happens at the second `up`; its destroy deletes what remained " +
      "(the role ends empty), while `RolePermissionRemoval` puts back exactly what it removed.",
  );
  lines.push("");

  lines.push("## Every phase", "");
  lines.push(
    "| impl | workload | phase | exit | wall s | API requests by endpoint | token | 429 | bound req | bound s | eff | provider peak MB | engine peak MB | state | load |",
  );
  lines.push("|---|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|---|--:|");
  for (const s of document.scenarios) {
    if (s.error)
      lines.push(
        `| ${s.impl} | ${key(s)} | – | – | – | failed: ${s.error.split("\n")[0].slice(0, 120)} | | | | | | | | | |`,
      );
    for (const p of s.phases ?? []) {
      lines.push(
        `| ${s.impl} | ${key(s)}${s.run ? ` #${s.run}` : ""} | ${p.phase} | ${p.timedOut ? "time limit" : p.exitCode} | ${fmt(p.wallSeconds)} | ${endpoints(p.requests) || "none"} | ${p.requests.tokens} | ${p.requests.status429} | ` +
          `${p.bound.requests} | ${fmt(p.bound.seconds)} | ${fmt(p.efficiency, 2)} | ${fmt(p.providerPeakMb)} | ${fmt(p.enginePeakMb)} | ` +
          `${p.stateOk === undefined ? "–" : p.stateOk ? "ok" : "**wrong**"} | ${fmt(p.load1)} |`,
      );
    }
  }
  lines.push("");
  lines.push("## Targets (issue 6)", "");
  lines.push("| target | status | evidence |", "|---|---|---|");
  for (const t of document.targets ?? []) lines.push(`| ${t.target} | ${t.status} | ${t.evidence} |`);
  lines.push("");
  lines.push(`![wall time of pulumi up against N](${svgName})`);
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// SVG chart: wall time of `pulumi up` against N, user workloads with M = 10, one line per
// implementation and profile. Hand-made: log-scaled N axis, linear seconds.

export function chartSvg(document) {
  const W = 760;
  const H = 440;
  const margin = { left: 64, right: 210, top: 40, bottom: 56 };
  const series = [];
  const colors = { ours: "#1f6feb", peer: "#d9480f" };
  const dashes = { none: "", enterprise: "8 4", free: "2 4" };
  for (const impl of ["ours", "peer"]) {
    for (const profile of ["none", "enterprise", "free"]) {
      const runs = document.scenarios.filter(
        (s) => s.impl === impl && s.profile === profile && s.kind === "user" && s.m === 10 && !s.variant,
      );
      const points = [...new Set(runs.map((s) => s.n))]
        .map((n) => {
          const atN = runs.filter((s) => s.n === n);
          return { n, y: medianWall(atN, "up"), ok: atN.every((s) => phaseOf(s, "up")?.exitCode === 0) };
        })
        .filter((p) => typeof p.y === "number")
        .sort((a, b) => a.n - b.n);
      if (points.length > 0) series.push({ impl, profile, points });
    }
  }
  const ns = [...new Set(series.flatMap((s) => s.points.map((p) => p.n)))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const yTop = niceCeil(maxY);
  const xMin = Math.log10(Math.min(1, ...ns));
  const xMax = Math.log10(Math.max(10, ...ns));
  const plotW = W - margin.left - margin.right;
  const plotH = H - margin.top - margin.bottom;
  const x = (n) => margin.left + ((Math.log10(n) - xMin) / (xMax - xMin || 1)) * plotW;
  const y = (v) => margin.top + plotH - (v / yTop) * plotH;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">pulumi up: wall time against N (UserPermissions, M = 10)</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = (yTop * i) / 5;
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${margin.left - 8}" y="${y(v) + 4}" text-anchor="end">${trim(v)}</text>`);
  }
  for (const n of ns) {
    out.push(`<line x1="${x(n)}" x2="${x(n)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(n)}" y="${margin.top + plotH + 18}" text-anchor="middle">${n}</text>`);
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
  );
  out.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
  );
  out.push(`<text x="${margin.left + plotW / 2}" y="${H - 14}" text-anchor="middle">N resources (log scale)</text>`);
  out.push(
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">wall time, s</text>`,
  );
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.n).toFixed(1)},${y(p.y).toFixed(1)}`).join(" ");
    out.push(
      `<path d="${d}" fill="none" stroke="${colors[s.impl]}" stroke-width="2.5" stroke-dasharray="${dashes[s.profile]}"/>`,
    );
    for (const p of s.points) {
      out.push(
        `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${p.ok ? colors[s.impl] : "#ffffff"}" stroke="${colors[s.impl]}"><title>${s.impl} ${s.profile} N=${p.n}: ${p.y.toFixed(1)} s</title></circle>`,
      );
    }
    const ly = margin.top + 10 + i * 22;
    const lx = margin.left + plotW + 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 34}" y1="${ly}" y2="${ly}" stroke="${colors[s.impl]}" stroke-width="2.5" stroke-dasharray="${dashes[s.profile]}"/>`,
    );
    out.push(`<text x="${lx + 42}" y="${ly + 4}">${s.impl === "ours" ? "ours" : "@pulumi/auth0"}, ${s.profile}</text>`);
  });
  out.push(
    `<text x="${margin.left + plotW + 20}" y="${H - 40}" fill="#666">${document.date.slice(0, 10)}${document.quick ? " (quick)" : ""}; open circle = failed run</text>`,
  );
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
function trim(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
