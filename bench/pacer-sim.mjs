#!/usr/bin/env node
// The pacer's profile, in virtual time: the real ManagementClient (pacer, retry policy) of dist/ sends
// N requests, all queued at once as the engine does when it creates N resources in parallel, to the
// emulator's real TokenBucket. No sockets, no sleeps: a virtual clock jumps from timer to timer, so a
// run of minutes takes milliseconds and is exactly repeatable. What it shows is the client's own
// share of a phase's wall time: how close the pacer gets to the bucket's rate, and how many 429s.
//
//   npm run build && node bench/pacer-sim.mjs [--latency 20] [--n 100,500] [--profile free,enterprise]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { PROFILES } from "./lib/workload.mjs";
import { TEST_EPOCH, TestClock } from "../test/helpers/clock.mjs";

const require = createRequire(import.meta.url);
const { ManagementClient } = require("../dist/client/management-client.js");
const { TokenBucket } = require("../dist/emulator/rate-limiter.js");
const { DEFAULT_TUNING } = require("../dist/config/defaults.js");

/** Seeded PRNG (mulberry32), for the retry jitter. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function simulate({ n, profile, latencyMs = 20, resetRounding = "next-token", tuning = {} }) {
  // Virtual time (the tests' clock): a run of minutes takes milliseconds and is exactly repeatable.
  const clock = new TestClock(TEST_EPOCH + 137);
  const limit = PROFILES[profile];
  const bucket = limit ? new TokenBucket(limit, () => clock.now(), resetRounding) : undefined;
  let status429 = 0;
  let served = 0;
  let maxInFlight = 0;
  let inFlight = 0;
  const transport = async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await clock.sleep(latencyMs / 2);
    const d = bucket?.take();
    await clock.sleep(latencyMs / 2);
    inFlight--;
    if (d && !d.allowed) {
      status429++;
      return {
        status: 429,
        headers: {
          "x-ratelimit-limit": String(d.limit),
          "x-ratelimit-remaining": String(d.remaining),
          "x-ratelimit-reset": String(d.reset),
        },
        data: { statusCode: 429 },
      };
    }
    served++;
    const headers = d
      ? {
          "x-ratelimit-limit": String(d.limit),
          "x-ratelimit-remaining": String(d.remaining),
          "x-ratelimit-reset": String(d.reset),
        }
      : {};
    return { status: 201, headers, data: undefined };
  };
  const client = new ManagementClient(
    {
      domain: "sim.example.com",
      credentials: { kind: "apiToken", apiToken: "sim-token" },
      tuning: { ...DEFAULT_TUNING, ...tuning },
      debug: false,
    },
    { transport, clock, random: prng(42), log: () => {} },
  );
  const t0 = clock.now();
  let finished = 0;
  let failed = 0;
  for (let i = 0; i < n; i++) {
    client
      .request({
        method: "POST",
        path: `/api/v2/users/u${i}/permissions`,
        json: {},
        context: { action: "sim", target: `u${i}` },
      })
      .then(
        () => finished++,
        () => (finished++, failed++),
      );
  }
  await clock.runUntil(() => finished === n);
  const seconds = (clock.now() - t0) / 1000;
  const bound = limit ? Math.max(0, n - limit.burst) / limit.perSecond : 0;
  return {
    n,
    profile,
    latencyMs,
    resetRounding,
    seconds,
    bound,
    ratio: bound > 0 ? seconds / bound : undefined,
    status429,
    failed,
    maxInFlight,
    served,
  };
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop());
if (invokedDirectly) {
  const { values } = parseArgs({
    options: {
      latency: { type: "string", default: "5,20,80" },
      n: { type: "string", default: "10,100,500" },
      profile: { type: "string", default: "free,enterprise" },
      reset: { type: "string", default: "next-token,current-second" },
    },
  });
  console.log(
    "profile     reset           latency    N   virtual s   bound s   wall/bound   429s  failed  max in flight",
  );
  for (const profile of values.profile.split(",")) {
    for (const resetRounding of values.reset.split(",")) {
      for (const latencyMs of values.latency.split(",").map(Number)) {
        for (const n of values.n.split(",").map(Number)) {
          const r = await simulate({ n, profile, latencyMs, resetRounding });
          console.log(
            `${profile.padEnd(11)} ${resetRounding.padEnd(15)} ${String(latencyMs).padStart(4)} ms ${String(n).padStart(4)} ` +
              `${r.seconds.toFixed(1).padStart(10)} ${r.bound.toFixed(1).padStart(9)} ${(r.ratio ?? 0).toFixed(3).padStart(12)} ${String(r.status429).padStart(6)} ${String(r.failed).padStart(7)} ${String(r.maxInFlight).padStart(14)}`,
          );
        }
      }
    }
  }
}
