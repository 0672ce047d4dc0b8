import { isIPv4, isIPv6 } from "node:net";
import { ConfigurationError } from "../errors";

/**
 * The one check of `auth0:domain`, used by every handler (check, read, update and delete alike:
 * refresh and destroy never call check). Only a host name or an IP literal, with an optional port
 * in range, gets through; everything else fails before any request, so no URL parser can read the
 * value differently from this check (Node's reads `\` as `/`: `attacker:443\tenant.eu.auth0.com`
 * would send the client secret to `attacker`).
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A last label the URL parser reads as a number (decimal, octal or hex), so as an IPv4 address. */
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;
const MAX_HOST_LENGTH = 253;

/**
 * Accepts `tenant.auth0.com`, `https://tenant.auth0.com/`, `localhost:8443`, `127.0.0.1:8443` and
 * `[::1]:8443`; returns the bare, lower-case `host[:port]` that state records.
 */
export function normalizeDomain(raw: string): string {
  const text = raw
    .trim()
    .replace(/^https:\/\//i, "")
    .replace(/\/+$/, "")
    .toLowerCase();
  const problem = domainProblem(text);
  if (problem !== undefined) {
    throw new ConfigurationError(
      `auth0:domain must be a host name such as "example.eu.auth0.com" or an IP address, optionally with :port ` +
        `(1-65535), and nothing else; ${problem}, got ${JSON.stringify(truncate(raw))}. ` +
        "Fix it with `pulumi config set auth0:domain <tenant>.auth0.com`.",
    );
  }
  return text.replace(/:0*(\d+)$/, ":$1");
}

/** What is wrong with a bare `host[:port]`, or undefined. Pure. */
function domainProblem(text: string): string | undefined {
  if (text === "") return "it is empty";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) return "only https:// may prefix it";
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::([0-9]{1,5}))?$/.exec(text);
  if (match === null) return "it may hold only letters, digits, '-', '.' and one :port";
  const host = match[1] ?? "";
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is out of range`;
  if (host.startsWith("[")) return isIPv6(host.slice(1, -1)) ? undefined : "the IPv6 address is not valid";
  if (isIPv4(host)) return undefined;
  if (host.length > MAX_HOST_LENGTH) return `the host name is longer than ${MAX_HOST_LENGTH} characters`;
  const labels = host.split(".");
  if (!labels.every((label) => LABEL.test(label))) {
    return "the host name may hold only letters, digits, '-' and '.', between non-empty labels";
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1] ?? "")) return "it is neither a host name nor an IPv4 address";
  return undefined;
}

function truncate(raw: string): string {
  return raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
}
