import { describe, expect, it } from "vitest";
import { normalizeDomain } from "../../../src/config/domain";
import { resolveSettings } from "../../../src/config/settings";
import { ConfigurationError } from "../../../src/errors";

describe("auth0:domain: a host name or an IP literal, with an optional port in range, and nothing else", () => {
  it.each([
    ["tenant.eu.auth0.com", "tenant.eu.auth0.com"],
    ["https://Tenant.EU.auth0.com/", "tenant.eu.auth0.com"],
    ["  login.example.com  ", "login.example.com"],
    ["localhost:8443", "localhost:8443"],
    ["127.0.0.1:08443", "127.0.0.1:8443"],
    ["[::1]:8443", "[::1]:8443"],
    ["my-tenant.auth0.com:443", "my-tenant.auth0.com:443"],
  ])("accepts %j as %j", (raw, normalized) => {
    expect(normalizeDomain(raw)).toBe(normalized);
  });

  it.each([
    // Node's URL parser reads `\` as `/`: the host would be `attacker`, and the client secret would go there.
    ["attacker:443\\tenant.eu.auth0.com", /may hold only letters/],
    ["attacker\\tenant.eu.auth0.com", /host name may hold only/],
    ["tenant.eu.auth0.com:99999", /port 99999 is out of range/],
    ["tenant.eu.auth0.com:0", /port 0 is out of range/],
    ["tenant.eu.auth0.com:", /may hold only letters/],
    ["user:pw@attacker", /may hold only letters/],
    ["attacker#@tenant.eu.auth0.com", /host name may hold only/],
    ["attacker?.tenant.eu.auth0.com", /host name may hold only/],
    ["tenant.auth0.com/api", /host name may hold only/],
    ["http://insecure.example", /only https:\/\/ may prefix it/],
    ["ftp://tenant.auth0.com", /only https:\/\/ may prefix it/],
    ["tenant..auth0.com", /between non-empty labels/],
    ["tenant.auth0.com.", /between non-empty labels/],
    ["-tenant.auth0.com", /host name may hold only/],
    ["ten ant.auth0.com", /host name may hold only/],
    ["tenant%2eauth0.com", /host name may hold only/],
    ["999.1.1.1", /neither a host name nor an IPv4 address/],
    ["0x7f.1", /neither a host name nor an IPv4 address/],
    ["[not-an-ip]:443", /IPv6 address is not valid/],
    ["", /it is empty/],
  ])("rejects %j before any request, naming the key and the fix", (raw, problem) => {
    const attempt = () => normalizeDomain(raw);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(problem);
    expect(attempt).toThrow(/auth0:domain must be a host name.*pulumi config set auth0:domain/);
  });

  it("is what resolveSettings applies, so every handler gets the same strict check", () => {
    const config = (domain: string) => (key: string) => ({ "auth0:domain": domain, "auth0:apiToken": "t" })[key];
    expect(() => resolveSettings(config("attacker:443\\tenant.eu.auth0.com"), {})).toThrow(ConfigurationError);
    expect(() => resolveSettings(() => undefined, { AUTH0_DOMAIN: "t.auth0.com:99999", AUTH0_API_TOKEN: "t" })).toThrow(
      /port 99999/,
    );
    expect(resolveSettings(config("HTTPS://T.auth0.com/"), {}).domain).toBe("t.auth0.com");
  });
});
