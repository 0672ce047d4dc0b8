import * as http from "node:http";
import * as https from "node:https";
import axios, { type AxiosInstance } from "axios";

/** The only module that knows about axios: one keep-alive connection pool per tenant. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query, relative to the tenant's base URL. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body (Auth0 expects one on DELETE too). */
  readonly json?: unknown;
  /** Form-encoded body, for /oauth/token. */
  readonly form?: Readonly<Record<string, string>>;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly data: unknown;
}

/** No HTTP response at all; `code` is Node's or axios' error code (ECONNRESET, ECONNABORTED, …). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(`network error ${code}`, options);
    this.name = "TransportError";
  }
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export function createAxiosTransport(baseUrl: string, timeoutMs: number): Transport {
  const instance: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: timeoutMs,
    // Every status is an answer; the retry policy decides what to do with it.
    validateStatus: () => true,
    maxRedirects: 0,
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
    // Never pick up HTTP(S)_PROXY silently: a proxy would see the bearer token.
    proxy: false,
    transitional: { clarifyTimeoutError: true },
  });
  return async (request) => {
    const headers: Record<string, string> = { Accept: "application/json", ...request.headers };
    let data: unknown;
    if (request.form !== undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      data = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers["Content-Type"] = "application/json";
      data = JSON.stringify(request.json);
    }
    try {
      const response = await instance.request({ method: request.method, url: request.path, headers, data, responseType: "text" });
      return { status: response.status, headers: lowerCaseHeaders(response.headers), data: parseBody(response.data) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new TransportError(typeof code === "string" ? code : "ERR_NETWORK", { cause: stripRequest(error) });
    }
  };
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function lowerCaseHeaders(headers: object): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value === undefined ? undefined : String(value);
  }
  return out;
}

/** An AxiosError holds the request config, headers included: keep only what is safe to show. */
function stripRequest(error: unknown): unknown {
  if (error instanceof Error) {
    const safe = new Error(error.message);
    safe.name = error.name;
    return safe;
  }
  return undefined;
}
