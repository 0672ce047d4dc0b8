import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { EmulatorOptions, FaultSpec, RequestLogEntry, RunningEmulator } from "../../../src/emulator";
import type { ResourceSpec, RunResult } from "../../e2e/support/stack";
import { waitFor } from "../support/cli";
import { FULL, record, recordCounts } from "../support/figures";
import { Environments, unexplainedChanges } from "../support/scenario";
import { describeFindings } from "../support/secrets";
import { WORKLOAD, declaredTenant, faultyAnswers, snapshot, snapshotDiff } from "../../helpers/tenant";

/**
 * Faults injected through the emulator while the real CLI runs `pulumi up` or `pulumi destroy` on
 * the packed package. Each scenario ends in one of the two accepted ways: the run converges (the
 * whole tenant equals the declared state), or it fails with the expected clear error, leaves
 * nothing but part of the declared changes, and the next run without the fault converges.
 * `npm test` runs the scenarios marked quick; `npm run test:reliability` runs them all.
 */
interface Scenario {
  readonly name: string;
  readonly quick?: boolean;
  readonly phase: "up" | "destroy";
  /** Scenarios with the same key share an emulator started with these options, and a stack. */
  readonly emulator?: { key: string; options: EmulatorOptions; lossy?: boolean };
  /** Lose the answers to this many applied writes (needs a lossy emulator). */
  readonly loseWriteAnswers?: number;
  readonly tuning?: Record<string, string>;
  readonly faults?: (emulator: RunningEmulator) => FaultSpec[];
  /** Runs alongside the faulted command, e.g. to expire tokens once the first write is seen. */
  readonly during?: (emulator: RunningEmulator) => Promise<void>;
  readonly outcome: "converge" | "fail";
  /** For "fail": the error the run must print. */
  readonly error?: RegExp;
  /** For "fail": the program of the next run (default: the same), e.g. without the failed resource. */
  readonly next?: ResourceSpec[];
  /** More checks on the request log of the faulted run. */
  readonly check?: (log: RequestLogEntry[]) => void;
  /** Counts the faulty answers when the status alone does not show them (default: faultyAnswers). */
  readonly served?: (log: RequestLogEntry[]) => number;
}

const API = "^/api/v2/";
const body = (status: number, error: string, message: string) => ({ statusCode: status, error, message });
const tooMany = body(429, "Too Many Requests", "Global limit has been reached");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Time from the first 429 to the next API request the emulator answered: the client's wait. */
function waitAfterFirst429(log: RequestLogEntry[]): number {
  const api = log.filter((r) => r.path.startsWith("/api/v2/"));
  const first = api.findIndex((r) => r.status === 429);
  const next = api[first + 1];
  if (first < 0 || next === undefined) throw new Error("no 429 followed by another request in the log");
  return Date.parse(next.at) - Date.parse(api[first]!.at);
}
const waitsAtLeast = (ms: number) => (log: RequestLogEntry[]) =>
  expect(waitAfterFirst429(log)).toBeGreaterThanOrEqual(ms);

const firstWrite = (emulator: RunningEmulator) =>
  waitFor(
    () => emulator.admin.requests().some((r) => r.path.startsWith("/api/v2/") && r.method !== "GET" && r.status < 300),
    60_000,
  );

/**
 * Lets one write through at once and holds every other API request for 2 s, so the tokens expire
 * (in `during`, right after that write) while the others are still to be served: on a busy machine
 * they could otherwise all land within the test's 20 ms poll, and no 401 would ever be sent.
 */
const oneWriteThenHold = (method: string, path: string): FaultSpec[] => [
  { match: { method, path }, times: 1, delay_ms: 0 },
  { match: { path: API }, times: 1000, delay_ms: 2000 },
];

/** Every request of `method` on `path` meets `fault`, however often it is retried. */
const always = (method: string, path: string, fault: Omit<FaultSpec, "match" | "times">): FaultSpec => ({
  match: { method, path },
  times: 1000,
  ...fault,
});

/** Auth0 busy: a 503 whose message is "busy". */
const BUSY = { status: 503, body: body(503, "Service Unavailable", "busy") };

/** The first batch of `method` on `path` goes through; every later one meets BUSY. */
const firstBatchThenBusy = (method: string, path: string): FaultSpec[] => [
  { match: { method, path }, times: 1, delay_ms: 1 },
  always(method, path, { response: BUSY }),
];

/** Every token expires once the first write of `phase` landed: 401s, then fresh tokens, and the run converges. */
const tokensExpireAfterFirstWrite = (phase: "up" | "destroy", method: string): Omit<Scenario, "name"> => ({
  phase,
  faults: () => oneWriteThenHold(method, "^/api/v2/users/auth0%7Cu1/permissions$"),
  during: async (emulator) => {
    await firstWrite(emulator);
    emulator.admin.expireTokens();
  },
  outcome: "converge",
  check: (log) => {
    expect(log.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(log.filter((r) => r.path === "/oauth/token" && r.status === 200).length).toBeGreaterThanOrEqual(2);
  },
});

/** Five 429s that say when the bucket refills only by x-ratelimit-reset (seconds since the epoch). */
const resetOnly429s = (resetSeconds: number): FaultSpec => ({
  match: { path: API },
  times: 5,
  response: {
    status: 429,
    headers: { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetSeconds) },
    body: tooMany,
  },
});

const SCENARIOS: Scenario[] = [
  // 429 storms
  {
    name: "429 storm with Retry-After (fault headers)",
    quick: true,
    phase: "up",
    faults: () => [
      { match: { path: API }, times: 5, response: { status: 429, headers: { "retry-after": "1" }, body: tooMany } },
    ],
    outcome: "converge",
    check: waitsAtLeast(1000),
  },
  {
    name: "429 storm with x-ratelimit-reset only (5 s ahead when injected)",
    phase: "up",
    faults: () => [resetOnly429s(nowSeconds() + 5)],
    outcome: "converge",
    check: waitsAtLeast(1000),
  },
  {
    name: "429 storm with x-ratelimit-reset equal to now",
    quick: true,
    phase: "up",
    faults: () => [resetOnly429s(nowSeconds())],
    outcome: "converge",
    // The 1 s floor: a client trusting reset - now would come back at once.
    check: waitsAtLeast(1000),
  },
  {
    name: "429 storm with no rate-limit header at all",
    phase: "up",
    faults: () => [{ match: { path: API }, times: 4, response: { status: 429, body: tooMany } }],
    outcome: "converge",
    check: waitsAtLeast(2000),
  },
  {
    name: "the emulator's own limiter (burst 2, 1/s) with Retry-After and reset == now, 10 resources",
    phase: "up",
    emulator: {
      key: "limited",
      options: { rateLimit: { burst: 2, perSecond: 1 }, retryAfterHeader: true, rateLimitReset: "current-second" },
    },
    outcome: "converge",
  },
  {
    name: "429 storm during destroy",
    phase: "destroy",
    faults: () => [
      { match: { path: API }, times: 5, response: { status: 429, headers: { "retry-after": "1" }, body: tooMany } },
    ],
    outcome: "converge",
    check: waitsAtLeast(1000),
  },
  // 5xx bursts
  ...[500, 502, 503].map((status): Scenario => ({
    name: `${status} burst`,
    phase: "up",
    faults: () => [
      { match: { path: API }, times: 4, response: { status, body: body(status, "Server Error", "upstream trouble") } },
    ],
    outcome: "converge",
  })),
  {
    name: "503 burst during destroy",
    quick: true,
    phase: "destroy",
    faults: () => [{ match: { path: API }, times: 4, response: BUSY }],
    outcome: "converge",
  },
  // connections
  {
    name: "connection resets",
    phase: "up",
    faults: () => [{ match: { path: API }, times: 4, reset_connection: true }],
    outcome: "converge",
  },
  {
    name: "connection resets during destroy",
    phase: "destroy",
    faults: () => [{ match: { path: API }, times: 4, reset_connection: true }],
    outcome: "converge",
  },
  {
    name: "responses that hang past the request timeout (1.5 s)",
    phase: "up",
    tuning: { requestTimeoutMs: "1500" },
    faults: () => [{ match: { path: API }, times: 3, hang: true }],
    outcome: "converge",
  },
  // Answers lost after the tenant applied the write (a proxy drops them): the retry must be harmless.
  ...(["noop", "conflict"] as const).map((duplicateAssign): Scenario => ({
    name: `answers lost after the write was applied (re-assigning answers ${duplicateAssign === "noop" ? "201" : "409"})`,
    phase: "up",
    emulator: { key: `lossy-${duplicateAssign}`, options: { duplicateAssign }, lossy: true },
    // One request at a time, so the answer the proxy drops is the write's.
    tuning: { maxConcurrentRequests: "1" },
    loseWriteAnswers: 3,
    outcome: "converge",
    served: repeatedWrites,
    check: (log) => {
      expect(repeatedWrites(log)).toBeGreaterThanOrEqual(3);
      // With 409s, the library lists the user and sends only what is missing.
      if (duplicateAssign === "conflict") expect(log.some((r) => r.status === 409)).toBe(true);
    },
  })),
  {
    name: "answers lost after the write was applied, during destroy",
    phase: "destroy",
    emulator: { key: "lossy-noop", options: { duplicateAssign: "noop" }, lossy: true },
    tuning: { maxConcurrentRequests: "1" },
    loseWriteAnswers: 3,
    outcome: "converge",
    served: repeatedWrites,
    check: (log) => expect(repeatedWrites(log)).toBeGreaterThanOrEqual(3),
  },
  // tokens
  {
    name: "token endpoint failing (503, reset) then recovering",
    phase: "up",
    faults: () => [
      {
        match: { path: "^/oauth/token$" },
        times: 2,
        response: BUSY,
      },
      { match: { path: "^/oauth/token$" }, times: 1, reset_connection: true },
    ],
    outcome: "converge",
  },
  {
    name: "token endpoint refusing the client (401 access_denied)",
    phase: "up",
    faults: () => [
      {
        match: { path: "^/oauth/token$" },
        times: 1000,
        response: { status: 401, body: { error: "access_denied", error_description: "Unauthorized" } },
      },
    ],
    outcome: "fail",
    error:
      /Could not get an access token for client '[^']+' from tenant '[^']+': the token endpoint answered 401 \(access_denied: Unauthorized\)/,
  },
  {
    name: "token endpoint down for good (503, retries exhausted)",
    phase: "up",
    tuning: { maxRetries: "2" },
    faults: () => [
      {
        match: { path: "^/oauth/token$" },
        times: 1000,
        response: { status: 503, body: body(503, "Service Unavailable", "down") },
      },
    ],
    outcome: "fail",
    error:
      /Could not get an access token for client '[^']+' from tenant '[^']+': the token endpoint answered 503( \([^)]*\))? after 3 attempts/,
  },
  {
    ...tokensExpireAfterFirstWrite("up", "POST"),
    name: "every token expires once the first write has landed",
    quick: true,
  },
  { ...tokensExpireAfterFirstWrite("destroy", "DELETE"), name: "every token expires in the middle of a destroy" },
  {
    // Each answer takes 1.5 s, so a role's DELETE, sent 1.5 s after its GET with the same cached
    // token, reaches the tenant after the token's 3 s: a natural expiry, then a 401 and a refresh.
    name: "tokens living 3 s in a deployment whose answers take 1.5 s each",
    phase: "up",
    emulator: { key: "short-tokens", options: { tokenTtlSeconds: 3 } },
    faults: () => [{ match: { path: API }, times: 1000, delay_ms: 1500 }],
    outcome: "converge",
    check: (log) =>
      expect(log.filter((r) => r.path === "/oauth/token" && r.status === 200).length).toBeGreaterThanOrEqual(2),
  },
  // retries exhausted: the error names the operation and the user or role
  {
    name: "retries exhausted: 503 on one user's grant",
    quick: true,
    phase: "up",
    tuning: { maxRetries: "2" },
    faults: () => [always("POST", "^/api/v2/users/auth0%7Cu2/permissions$", { response: BUSY })],
    outcome: "fail",
    error:
      /Could not grant permissions to user 'auth0\|u2' \(3 permissions, first audit:reports on https:\/\/api\.example\.com\): Auth0 answered 503: "busy" to POST \/api\/v2\/users\/auth0%7Cu2\/permissions after 3 attempts\./,
  },
  {
    name: "retries exhausted: 429 on one role's removal",
    phase: "up",
    tuning: { maxRetries: "1" },
    faults: () => [
      always("DELETE", "^/api/v2/roles/rol_ops/permissions$", {
        response: { status: 429, headers: { "retry-after": "1" }, body: tooMany },
      }),
    ],
    outcome: "fail",
    error:
      /Could not remove permissions from role 'rol_ops' \(delete:reports on https:\/\/api\.example\.com\): Auth0 answered 429: "Global limit has been reached" (\(errorCode too_many_requests\) )?to DELETE \/api\/v2\/roles\/rol_ops\/permissions after 2 attempts\./,
  },
  {
    name: "retries exhausted: connection resets on reading a role",
    phase: "up",
    tuning: { maxRetries: "2" },
    faults: () => [always("GET", "^/api/v2/roles/rol_support/permissions$", { reset_connection: true })],
    outcome: "fail",
    error:
      /Could not list the permissions of role 'rol_support': GET \/api\/v2\/roles\/rol_support\/permissions\?[^ ]* failed with ECONNRESET after 3 attempts/,
  },
  {
    name: "retries exhausted: a grant that hangs every time",
    phase: "up",
    tuning: { maxRetries: "1", requestTimeoutMs: "1000" },
    faults: () => [always("POST", "^/api/v2/users/auth0%7Cu1/permissions$", { hang: true })],
    outcome: "fail",
    error:
      /Could not grant permissions to user 'auth0\|u1' \(2 permissions, first export:reports on https:\/\/api\.example\.com\): POST \/api\/v2\/users\/auth0%7Cu1\/permissions failed with (ETIMEDOUT|ECONNABORTED) after 2 attempts/,
  },
  // A failure after part of the work is done: what was done must be recorded, or it is lost.
  {
    name: "a role removal fails after its first batch: what it removed is still restored by destroy",
    quick: true,
    phase: "up",
    tuning: { batchSize: "1", maxRetries: "1" },
    faults: () => firstBatchThenBusy("DELETE", "^/api/v2/roles/rol_support/permissions$"),
    outcome: "fail",
    error:
      /Could not remove permissions from role 'rol_support' \(delete:reports on https:\/\/api\.example\.com\): Auth0 answered 503: "busy"/,
  },
  {
    name: "a grant fails after its first batch, then the resource is dropped: nothing it granted stays",
    phase: "up",
    tuning: { batchSize: "1", maxRetries: "1" },
    faults: () => firstBatchThenBusy("POST", "^/api/v2/users/auth0%7Cu2/permissions$"),
    outcome: "fail",
    error:
      /Could not grant permissions to user 'auth0\|u2' \(read:reports on https:\/\/api\.example\.com\): Auth0 answered 503: "busy"/,
    next: WORKLOAD.filter((spec) => spec.name !== "grant-u2"),
  },
  {
    name: "retries exhausted during destroy: 503 on restoring a role",
    phase: "destroy",
    tuning: { maxRetries: "2" },
    faults: () => [always("POST", "^/api/v2/roles/rol_support/permissions$", { response: BUSY })],
    outcome: "fail",
    error:
      /Could not add permissions to role 'rol_support' \(2 permissions, first admin:reports on https:\/\/api\.example\.com\): Auth0 answered 503: "busy" to POST \/api\/v2\/roles\/rol_support\/permissions after 3 attempts\./,
  },
];

const scenarios = FULL ? SCENARIOS : SCENARIOS.filter((s) => s.quick);
const envs = new Environments();
const totals = { scenarios: 0, convergedInRun: 0, failedThenConverged: 0, served: 0, servedInConverged: 0 };

afterAll(() => envs.stop());

/** Whatever a scenario did or failed to do, the next one starts from the seed with an empty stack. */
let current: { key: string; emulator: RunningEmulator; stack: import("../../e2e/support/stack").E2eStack } | undefined;
afterEach(async () => {
  if (!current) return;
  const { emulator, stack } = current;
  current = undefined;
  emulator.admin.clearFaults();
  const destroyed = await stack.run(["destroy", "--yes", "--skip-preview"]);
  if (destroyed.code !== 0) throw new Error(`cleanup destroy failed:\n${destroyed.output}`);
  envs.clearLog(emulator);
  emulator.admin.reset();
});

/** The limiter scenario needs enough requests to trip the bucket: more users. */
function workloadFor(scenario: Scenario) {
  if (scenario.emulator?.key !== "limited") return WORKLOAD;
  const extra = ["auth0|u4", "auth0|u1", "auth0|u2", "auth0|u3"].flatMap((id, i) => [
    {
      kind: "user" as const,
      name: `extra-${i}`,
      id,
      permissions: [
        {
          resourceServerIdentifier: "https://api.example.com",
          permissionName: i % 2 ? "admin:reports" : "delete:reports",
        },
      ],
    },
  ]);
  return [
    ...WORKLOAD,
    ...extra,
    {
      kind: "user" as const,
      name: "extra-u4-b",
      id: "auth0|u4",
      permissions: [{ resourceServerIdentifier: "https://api.example.com", permissionName: "share:reports" }],
    },
  ];
}

describe("faults during real pulumi up and destroy", () => {
  for (const scenario of scenarios) {
    it(`${scenario.phase}: ${scenario.name}`, async () => {
      const key = scenario.emulator?.key ?? "default";
      const env = await envs.get(key, scenario.emulator?.options, scenario.emulator?.lossy ?? false);
      const { emulator, stack } = env;
      current = { key, emulator, stack };
      await envs.tune(key, scenario.tuning ?? {});
      const seed = snapshot(emulator);
      const workload = workloadFor(scenario);
      const declared = declaredTenant(seed, workload);
      await stack.setResources(workload);
      if (scenario.phase === "destroy") {
        await stack.up();
        expect(snapshotDiff(declared, snapshot(emulator))).toEqual([]);
      }
      const before = snapshot(emulator);
      const goal = scenario.phase === "up" ? declared : seed;
      envs.clearLog(emulator);
      for (const fault of scenario.faults?.(emulator) ?? []) emulator.admin.addFault(fault);
      if (scenario.loseWriteAnswers) env.loseWriteAnswers(scenario.loseWriteAnswers);

      const command =
        scenario.phase === "up" ? ["up", "--yes", "--skip-preview"] : ["destroy", "--yes", "--skip-preview"];
      const [result] = await Promise.all([stack.run(command), scenario.during?.(emulator)]);
      emulator.admin.clearFaults();
      env.loseWriteAnswers(0);
      const log = emulator.admin.requests();
      const served = scenario.served ? scenario.served(log) : faultyAnswers(emulator);
      totals.scenarios++;
      totals.served += served;
      envs.scan.add(`error output of '${scenario.name}'`, result.output);

      let outcome: string;
      if (scenario.outcome === "converge") {
        expect(result.code, result.output).toBe(0);
        expect(snapshotDiff(goal, snapshot(emulator))).toEqual([]);
        scenario.check?.(log);
        totals.convergedInRun++;
        totals.servedInConverged += served;
        outcome = "converged in the same run";
      } else {
        expect(result.code, result.output).not.toBe(0);
        expect(result.output).toMatch(scenario.error!);
        expect(unexplainedChanges(before, workload, snapshot(emulator))).toEqual([]);
        if (scenario.next) await stack.setResources(scenario.next);
        const again: RunResult = await stack.run(command);
        expect(again.code, again.output).toBe(0);
        expect(snapshotDiff(scenario.next ? declaredTenant(seed, scenario.next) : goal, snapshot(emulator))).toEqual(
          [],
        );
        totals.failedThenConverged++;
        outcome = `failed with "${firstError(result.output)}"; the next ${scenario.phase} converged`;
      }
      record("Faults", `${scenario.phase}: ${scenario.name}`, `${served} faulty answers served; ${outcome}`, "last");

      // Back to the seed for the next scenario: the destroy must restore it exactly.
      if (scenario.phase === "up") await stack.destroy();
      expect(snapshotDiff(seed, snapshot(emulator))).toEqual([]);
      current = undefined;
    });
  }

  it("no secret in any state file, export, output, error or request log", async () => {
    await envs.finish();
    recordCounts("Faults", {
      "fault scenarios run (one kind of fault injected into one run)": totals.scenarios,
      "scenarios that converged in the same run": totals.convergedInRun,
      "scenarios that failed with a clear error, then converged on the next run": totals.failedThenConverged,
      "faulty answers served in all scenarios": totals.served,
      "faulty answers survived within runs that converged": totals.servedInConverged,
    });
    const findings = envs.scan.finish();
    expect(findings, describeFindings(findings)).toEqual([]);
  });
});

/** The library's error as the run printed it: from "Could not" to the end of its first sentence. */
function firstError(output: string): string {
  const match = /Could not .*?(?:\.(?=\s)|$)/m.exec(output);
  const text = match ? match[0] : (output.split("\n").find((l) => /error:/.test(l)) ?? "").trim();
  return text.length > 220 ? `${text.slice(0, 217)}...` : text;
}

/** Writes sent more than once: each repeat is a retry after an answer the client never saw. */
function repeatedWrites(log: RequestLogEntry[]): number {
  const counts = new Map<string, number>();
  for (const r of log) {
    if (!r.path.startsWith("/api/v2/") || r.method === "GET") continue;
    const key = `${r.method} ${r.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
}
