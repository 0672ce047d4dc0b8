// Which scenarios a run measures. The full matrix is a subset of N in {1,10,100,500} x M in
// {1,10,100} x profile in {none, enterprise, free} that runs in about an hour on 2 shared cores;
// the free profile (2 requests/s) stops at N=100, where one phase already needs ~50 s.
const both = (rows) =>
  rows.flatMap((row) => [
    { impl: "ours", ...row },
    { impl: "peer", ...row },
  ]);

export function fullMatrix() {
  return both([
    // No limit: how time grows with N (engine and provider cost), and with M.
    ...[1, 10, 100, 500].map((n) => ({ kind: "user", profile: "none", n, m: 10 })),
    { kind: "user", profile: "none", n: 100, m: 1 },
    { kind: "user", profile: "none", n: 100, m: 100 },
    { kind: "user", profile: "none", n: 500, m: 100 },
    { kind: "role", profile: "none", n: 100, m: 10 },
    // Enterprise (burst 50, 16/s): efficiency against the bound.
    ...[10, 100, 500].map((n) => ({ kind: "user", profile: "enterprise", n, m: 10 })),
    { kind: "role", profile: "enterprise", n: 100, m: 10 },
    // Free (burst 2, 2/s): N <= 100 keeps each phase under a minute or two.
    ...[10, 100].map((n) => ({ kind: "user", profile: "free", n, m: 10 })),
    { kind: "role", profile: "free", n: 10, m: 10 },
    // Attribution: the engine's checkpoint after every step (file backend) switched off.
    ...["none", "enterprise"].map((profile) => ({
      kind: "user",
      profile,
      n: 500,
      m: 10,
      variant: "skip-checkpoints",
      env: { PULUMI_SKIP_CHECKPOINTS: "true" },
      phases: ["up", "refresh", "destroy"],
    })),
  ]);
}

/** About two minutes: the whole pipeline once per implementation, without a limit and on the free profile. */
export function quickMatrix() {
  const phases = ["preview", "up", "refresh", "destroy"];
  return both([
    { kind: "user", profile: "none", n: 10, m: 10, phases },
    { kind: "user", profile: "free", n: 10, m: 10, phases },
  ]);
}
