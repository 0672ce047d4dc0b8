import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { getProxyForUrl } from "proxy-from-env";
import { ConfigurationError } from "../errors";

/**
 * Which proxy, if any, carries requests to one tenant, as curl and the Go SDKs decide it:
 * `HTTPS_PROXY` / `https_proxy` for an https tenant, `HTTP_PROXY` / `http_proxy` for a plain-http one
 * (the emulator's `--http` mode), `ALL_PROXY` as the fallback, and `NO_PROXY` / `no_proxy` to bypass
 * (host names, `.suffix` or `*.suffix`, `host:port`, `*`). proxy-from-env reads the variables; on top of
 * it, a bare `example.com` also bypasses `sub.example.com`, as curl and Go's httpproxy do.
 *
 * Read once per tenant, when its transport is created (process.env, where Pulumi passes it through).
 */
export function proxyFor(baseUrl: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const proxy = getProxyForUrl(baseUrl.href);
  if (proxy === "" || bypassedBySuffix(baseUrl.hostname, env)) return undefined;
  try {
    return new URL(proxy);
  } catch {
    // Not the parser's message: it quotes the value, credentials included.
    throw new ConfigurationError(
      `The proxy for ${baseUrl.host} (from HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a URL; ` +
        "set it to http://[user:password@]host:port, or unset it",
    );
  }
}

/** `NO_PROXY=example.com` bypasses `api.example.com` too (curl, Go); proxy-from-env only matches it exactly. */
function bypassedBySuffix(hostname: string, env: NodeJS.ProcessEnv): boolean {
  const noProxy = (env["no_proxy"] || env["NO_PROXY"] || "").toLowerCase();
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return noProxy
    .split(/[,\s]/)
    .map((entry) => entry.replace(/:\d+$/, ""))
    .some((entry) => entry !== "" && !/^[.*]/.test(entry) && host.endsWith(`.${entry}`));
}

/**
 * The agents for one tenant: keep-alive, and through the proxy when there is one. An https tenant is
 * always reached through a `CONNECT` tunnel (https-proxy-agent), with TLS from this process to the tenant
 * and the tenant's certificate verified end to end: the proxy sees the host name, never a header or a body.
 */
export function agentFor(baseUrl: URL, proxy: URL | undefined): HttpAgent | HttpsAgent {
  const options = { keepAlive: true };
  const secure = baseUrl.protocol === "https:";
  if (proxy === undefined) return secure ? new HttpsAgent(options) : new HttpAgent(options);
  return secure ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
}

/** A proxy URL fit for a message: credentials replaced, path dropped. */
export function describeProxy(proxy: string | URL): string {
  try {
    const url = typeof proxy === "string" ? new URL(proxy) : proxy;
    const auth = url.username !== "" || url.password !== "" ? "***@" : "";
    return `${url.protocol}//${auth}${url.host}`;
  } catch {
    return "(unparsable)";
  }
}

/** The secret parts of a proxy URL (user name and password, decoded and as written), for the redactor. */
export function proxySecrets(proxy: URL | undefined): string[] {
  if (proxy === undefined) return [];
  return [proxy.username, proxy.password, safeDecode(proxy.username), safeDecode(proxy.password)].filter(
    (value) => value !== "",
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
