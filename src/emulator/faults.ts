import { BoundedPattern, PatternTimeoutError } from "./path-matcher";
import type { FaultSpec } from "./types";

/** Longest `delay_ms`: Node's timers fire at once beyond 2^31−1 ms (about 24.8 days). */
export const maximumDelayMs = 2_147_483_647;

/** A validated fault with its remaining count. */
export interface ActiveFault {
  method: string | undefined;
  path: BoundedPattern | undefined;
  remaining: number;
  response: { status: number; headers: Record<string, string>; body: unknown } | undefined;
  delayMs: number;
  resetConnection: boolean;
  hang: boolean;
}

export class FaultError extends Error {
  override readonly name = "FaultError" as const;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function compile(input: FaultSpec): ActiveFault {
  const spec: unknown = input;
  if (!isObject(spec)) throw new FaultError("A fault must be an object");
  const allowed = ["match", "times", "response", "delay_ms", "reset_connection", "hang"];
  const extra = Object.keys(spec).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new FaultError(`Unknown fault field(s): ${extra.join(", ")}`);
  const match = spec["match"] ?? {};
  if (!isObject(match)) throw new FaultError("match must be an object");
  const method = match["method"];
  const path = match["path"];
  if (method !== undefined && typeof method !== "string") throw new FaultError("match.method must be a string");
  if (path !== undefined && typeof path !== "string") throw new FaultError("match.path must be a string");
  let pattern: BoundedPattern | undefined;
  try {
    pattern = path === undefined ? undefined : new BoundedPattern(path);
  } catch (error) {
    throw new FaultError(`match.path is not a valid regular expression: ${String(error)}`);
  }
  const times = spec["times"] ?? 1;
  if (typeof times !== "number" || !Number.isInteger(times) || times < 1) {
    throw new FaultError("times must be a positive integer");
  }
  const delayMs = spec["delay_ms"] ?? 0;
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > maximumDelayMs) {
    throw new FaultError(`delay_ms must be a number from 0 to ${maximumDelayMs}; to never answer, use hang`);
  }
  let response: ActiveFault["response"];
  const rawResponse = spec["response"];
  if (rawResponse !== undefined) {
    if (!isObject(rawResponse)) throw new FaultError("response must be an object");
    const status = rawResponse["status"];
    const headers = rawResponse["headers"] ?? {};
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
      throw new FaultError("response.status must be an HTTP status code");
    }
    if (!isObject(headers) || !Object.values(headers).every((value) => typeof value === "string")) {
      throw new FaultError("response.headers must map names to strings");
    }
    response = { status, headers: headers as Record<string, string>, body: rawResponse["body"] };
  }
  const resetConnection = spec["reset_connection"] === true;
  const hang = spec["hang"] === true;
  if ([response !== undefined, resetConnection, hang].filter(Boolean).length > 1) {
    throw new FaultError("Use only one of response, reset_connection and hang");
  }
  return {
    method: method?.toUpperCase(),
    path: pattern,
    remaining: times,
    response,
    delayMs,
    resetConnection,
    hang,
  };
}

/** Scripted faults, applied in the order they were added, each to the next `times` matching requests. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push(compile(spec));
  }

  clear(): void {
    this.faults = [];
  }

  get size(): number {
    return this.faults.length;
  }

  /**
   * The first fault matching the request, with one use consumed; undefined when none matches. A fault whose
   * path pattern runs out of its time budget is removed, and the `PatternTimeoutError` is thrown.
   */
  take(method: string, path: string): ActiveFault | undefined {
    if (this.faults.length === 0) return undefined;
    const index = this.faults.findIndex((fault) => {
      if (fault.method !== undefined && fault.method !== method) return false;
      try {
        return fault.path?.test(path) ?? true;
      } catch (error) {
        if (error instanceof PatternTimeoutError) this.faults = this.faults.filter((other) => other !== fault);
        throw error;
      }
    });
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    return fault;
  }
}
