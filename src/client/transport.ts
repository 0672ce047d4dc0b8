import axios, { AxiosError, type AxiosInstance, type RawAxiosRequestHeaders } from "axios";
import { DEFAULT_TUNING, clampTimerMs } from "../config/defaults";
import { Auth0PermissionsError, ConfigurationError } from "../errors";
import { agentFor, describeProxy, proxyFor, proxySecrets } from "./proxy";
import { Redactor } from "./redact";

/** The only module that sends HTTP: one axios instance per tenant, over keep-alive agents. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query, relative to the tenant's base URL. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body (Auth0 expects one on DELETE too). */
  readonly json?: unknown;
  /** Form-encoded body, for /oauth/token. */
  readonly form?: Readonly<Record<string, string>>;
  /**
   * A form body built anew for every attempt, for /oauth/token with a client assertion: each assertion
   * carries a unique `jti`, and Auth0 refuses one it has seen, so a retry must not resend it.
   */
  readonly freshForm?: () => Promise<Readonly<Record<string, string>>>;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly data: unknown;
}

/**
 * Why an attempt got no usable answer:
 * - `timeout`: the attempt's total deadline (`requestTimeoutMs`) passed: connect, TLS, headers and body;
 * - `connection`: no answer (refused, reset, DNS, TLS verification, proxy): Node's code is in `code`;
 * - `too-large`: the body went past `maxResponseBytes`;
 * - `refused-encoding`: the body came compressed (`Content-Encoding` other than identity), never asked for;
 * - `invalid-request`: Node refused to send the request as built (e.g. a header with a control character).
 */
export type TransportErrorKind = "timeout" | "connection" | "too-large" | "refused-encoding" | "invalid-request";

/**
 * No usable HTTP answer. `code` is what the retry policy reads: Node's error code for `connection`
 * (ECONNRESET, ECONNREFUSED, …), ETIMEDOUT for `timeout`, and ERR_RESPONSE_TOO_LARGE,
 * ERR_CONTENT_ENCODING and ERR_INVALID_REQUEST for the others (none of which is worth a retry).
 * The message is this library's own words; `cause` keeps a stripped copy of the underlying error.
 */
export class TransportError extends Auth0PermissionsError {
  constructor(
    readonly code: string,
    options: { cause: unknown; kind?: TransportErrorKind; message?: string },
  ) {
    super(options.message ?? `network error ${code}`, { cause: options.cause });
    this.kind = options.kind ?? "connection";
  }
  readonly kind: TransportErrorKind;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export interface TransportOptions {
  /** Largest response body, in bytes. Default DEFAULT_TUNING.maxResponseBytes. */
  readonly maxResponseBytes?: number;
  /** One line of diagnostics (the NODE_TLS_REJECT_UNAUTHORIZED warning). Default: stderr. */
  readonly warn?: (line: string) => void;
}

/** Our own request bodies: at most 1000 permissions, about 100 KB. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * A transport to one base URL (`https://tenant`, or `http://` in tests) on one axios instance.
 * - Every status is an answer, redirects included (never followed): the retry policy decides.
 * - `timeoutMs` is the total deadline of one attempt: connect, TLS, headers and the whole body. A
 *   server that trickles its answer fails with `timeout` when it passes.
 * - Bodies are capped at `maxResponseBytes`; no encoding is asked for (`Accept-Encoding: identity`,
 *   axios' decompression off), and a compressed body that arrives anyway is refused, never inflated.
 * - Proxies from the environment, through `CONNECT` for https (see proxy.ts).
 * - The body is read as UTF-8 text and parsed as JSON when it is JSON.
 */
export function createHttpTransport(baseUrl: string, timeoutMs: number, options: TransportOptions = {}): Transport {
  const base = new URL(baseUrl);
  if (base.protocol !== "https:" && base.protocol !== "http:")
    throw new ConfigurationError(`unsupported protocol in ${baseUrl}: use https:// (or http:// for the emulator)`);
  const deadlineMs = clampTimerMs(timeoutMs);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_TUNING.maxResponseBytes;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`pulumi-auth0-permissions: ${line}\n`));
  const proxy = proxyFor(base);
  const redactor = new Redactor();
  for (const secret of proxySecrets(proxy)) redactor.add(secret);
  const agent = agentFor(base, proxy);
  const http: AxiosInstance = axios.create({
    baseURL: base.origin,
    // axios' own proxy support sends https requests to the proxy in the clear: ours tunnels (agentFor).
    proxy: false,
    httpAgent: base.protocol === "http:" ? agent : undefined,
    httpsAgent: base.protocol === "https:" ? agent : undefined,
    maxRedirects: 0,
    validateStatus: () => true,
    decompress: false,
    responseType: "arraybuffer",
    transformResponse: [(data: unknown) => data],
    maxContentLength: maxResponseBytes,
    maxBodyLength: MAX_REQUEST_BYTES,
    adapter: "http",
    // Bodies are strings already, with their Content-Type set below.
    transformRequest: [],
  });
  pruneDefaults(http);
  let tlsChecked = base.protocol !== "https:";
  const via = proxy === undefined ? "" : ` through the proxy ${describeProxy(proxy)}`;

  return async (request) => {
    if (!tlsChecked) {
      tlsChecked = true;
      if (process.env["NODE_TLS_REJECT_UNAUTHORIZED"] === "0") {
        warn(
          `NODE_TLS_REJECT_UNAUTHORIZED=0 is set: the certificate of ${base.host} is not verified, so the access ` +
            "token and the client secret (or assertion) go to whatever server answers. Unset it; to trust a " +
            "private CA, use NODE_EXTRA_CA_CERTS instead.",
        );
      }
    }
    const headers: RawAxiosRequestHeaders = {
      Accept: "application/json",
      "Accept-Encoding": "identity",
      "User-Agent": USER_AGENT,
      ...request.headers,
    };
    // axios silently strips characters HTTP forbids in a header (a newline, a non-Latin-1 letter) and
    // would send a different credential than configured: refuse the request instead.
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (!/^[\t\x20-\x7e]*$/.test(value)) {
        throw new TransportError("ERR_INVALID_REQUEST", {
          kind: "invalid-request",
          cause: undefined,
          message:
            `${request.method} ${request.path}: the ${name} header holds a character HTTP forbids (a control ` +
            "character or a non-ASCII letter); it was not sent. Check the configured credential for a stray character",
        });
      }
    }
    // Built before the attempt's deadline starts; a failure here (a key jose refuses) is not a network error.
    const form = request.freshForm ? await request.freshForm() : request.form;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadlineMs);
    try {
      let data: string | undefined;
      if (form !== undefined) {
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        data = new URLSearchParams(form).toString();
      } else if (request.json !== undefined) {
        headers["Content-Type"] = "application/json";
        data = JSON.stringify(request.json);
      }
      const response = await http.request<Buffer>({
        method: request.method,
        url: request.path,
        headers,
        data,
        signal: controller.signal,
      });
      const responseHeaders = lowerCaseHeaders(response.headers as Record<string, unknown>);
      if (proxy !== undefined && response.status === 407) {
        // The proxy's answer (https-proxy-agent hands a refused CONNECT back as a response), not the tenant's.
        throw new TransportError("ERR_PROXY_AUTH", {
          kind: "connection",
          cause: undefined,
          message:
            `${request.method} ${request.path}: the proxy ${describeProxy(proxy)} refused the request (407 Proxy ` +
            "Authentication Required); check the user name and password in HTTPS_PROXY / HTTP_PROXY",
        });
      }
      const body = Buffer.isBuffer(response.data) ? response.data : Buffer.alloc(0);
      const encoding = (responseHeaders["content-encoding"] ?? "").trim().toLowerCase();
      if (body.length > 0 && encoding !== "" && encoding !== "identity") {
        throw new TransportError("ERR_CONTENT_ENCODING", {
          kind: "refused-encoding",
          cause: undefined,
          message:
            `${request.method} ${request.path}: the answer came compressed (Content-Encoding: ` +
            `${encoding.slice(0, 40)}) although none was asked for; it was refused, not inflated`,
        });
      }
      return { status: response.status, headers: responseHeaders, data: parseBody(body) };
    } catch (error) {
      throw toTransportError(error, request, {
        timedOut: controller.signal.aborted,
        deadlineMs,
        maxResponseBytes,
        via,
        redactor,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

const USER_AGENT = "pulumi-auth0-permissions";

/**
 * axios merges its instance defaults into every request's config, deeply for headers. Its stock default
 * headers (a `common` bucket and one per method) and its browser-only XSRF and `transitional` options
 * are of no use here, and merging them was a large part of axios' allocations per request: without them,
 * about 17 % fewer young-generation collections per request (docs/performance.md, memory).
 */
function pruneDefaults(instance: AxiosInstance): void {
  instance.defaults.headers = {} as AxiosInstance["defaults"]["headers"];
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  for (const key of ["transitional", "xsrfCookieName", "xsrfHeaderName"]) delete defaults[key];
}

/** Maps whatever axios or Node threw to a TransportError, once, here: nothing above sees axios types. */
function toTransportError(
  error: unknown,
  request: HttpRequest,
  facts: { timedOut: boolean; deadlineMs: number; maxResponseBytes: number; via: string; redactor: Redactor },
): TransportError {
  if (error instanceof TransportError) return error;
  const what = `${request.method} ${request.path}`;
  const cause = stripRequest(error, facts.redactor);
  if (facts.timedOut) {
    return new TransportError("ETIMEDOUT", {
      kind: "timeout",
      cause,
      message:
        `${what}: no complete answer within ${facts.deadlineMs} ms${facts.via} ` +
        "(pulumi-auth0-permissions:requestTimeoutMs covers connect, TLS, headers and the whole body)",
    });
  }
  const message = error instanceof Error ? error.message : "";
  const code =
    error instanceof AxiosError && typeof error.cause === "object" && error.cause !== null && "code" in error.cause
      ? String((error.cause as { code: unknown }).code)
      : ((error as { code?: unknown } | undefined)?.code ?? "ERR_NETWORK");
  if (/maxContentLength/.test(message)) {
    return new TransportError("ERR_RESPONSE_TOO_LARGE", {
      kind: "too-large",
      cause,
      message:
        `${what}: the answer is larger than ${facts.maxResponseBytes} bytes ` +
        "(pulumi-auth0-permissions:maxResponseBytes); the rest was not read",
    });
  }
  // The connection closed in the middle of the body: the same as a reset before it, worth a retry.
  const nodeCode = /stream has been aborted/.test(message) ? "ECONNRESET" : String(code);
  if (
    /^ERR_(INVALID_CHAR|INVALID_HTTP_TOKEN|HTTP_INVALID_HEADER_VALUE|INVALID_ARG_VALUE|UNESCAPED_CHARACTERS)$/.test(
      nodeCode,
    )
  ) {
    return new TransportError("ERR_INVALID_REQUEST", {
      kind: "invalid-request",
      cause,
      message: `${what}: Node refused to send the request (${nodeCode}); a configured value holds a character HTTP forbids`,
    });
  }
  return new TransportError(nodeCode, {
    kind: "connection",
    cause,
    message: `${what}: no answer${facts.via} (${nodeCode}${cause instanceof Error && cause.message !== "" ? `: ${cause.message}` : ""})`,
  });
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseBody(body: Buffer): unknown {
  const raw = stripBom(body.toString("utf8"));
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value)
      ? value.join(", ")
      : value === undefined || value === null
        ? undefined
        : String(value);
  }
  return out;
}

/** axios errors carry the request config (headers, Authorization included): keep only a redacted message. */
function stripRequest(error: unknown, redactor: Redactor): Error | undefined {
  if (error instanceof Error) {
    const inner = error instanceof AxiosError && error.cause instanceof Error ? error.cause : error;
    const safe = new Error(redactor.redact(inner.message).slice(0, 300));
    safe.name = inner.name;
    return safe;
  }
  return undefined;
}
