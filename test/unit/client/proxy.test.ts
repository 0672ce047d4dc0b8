import { describe, expect, it } from "vitest";
import { describeProxy, proxyFor, proxySecrets } from "../../../src/client/proxy";
import { useUnsetEnv } from "../../helpers/env";

const VARS = [
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
];
useUnsetEnv(VARS);

const proxied = (url: string): string | undefined => proxyFor(new URL(url))?.href;

describe("proxy choice from the environment", () => {
  it("HTTPS_PROXY (or https_proxy) for an https tenant, HTTP_PROXY for a plain-http one, none by default", () => {
    expect(proxied("https://t.eu.auth0.com")).toBeUndefined();
    process.env["https_proxy"] = "http://proxy.corp:3128";
    process.env["HTTP_PROXY"] = "http://plain.corp:8080";
    expect(proxied("https://t.eu.auth0.com")).toBe("http://proxy.corp:3128/");
    expect(proxied("http://localhost:4000")).toBe("http://plain.corp:8080/");
  });

  it("NO_PROXY: exact hosts, a bare domain covering its subdomains, .suffix, *.suffix, host:port and *", () => {
    process.env["HTTPS_PROXY"] = "http://proxy.corp:3128";
    const bypass = (noProxy: string, url: string): boolean => {
      process.env["NO_PROXY"] = noProxy;
      return proxied(url) === undefined;
    };
    expect(bypass("t.eu.auth0.com", "https://t.eu.auth0.com")).toBe(true);
    expect(bypass("auth0.com", "https://t.eu.auth0.com")).toBe(true); // curl and Go's rule
    expect(bypass("auth0.com", "https://notauth0.com")).toBe(false);
    expect(bypass(".auth0.com", "https://t.eu.auth0.com")).toBe(true);
    expect(bypass("*.auth0.com", "https://t.eu.auth0.com")).toBe(true);
    expect(bypass("localhost:8443", "https://localhost:8443")).toBe(true);
    expect(bypass("localhost:9999", "https://localhost:8443")).toBe(false);
    expect(bypass("*", "https://t.eu.auth0.com")).toBe(true);
    expect(bypass("other.example, example.internal", "https://t.eu.auth0.com")).toBe(false);
    process.env["NO_PROXY"] = "";
    process.env["no_proxy"] = "auth0.com";
    expect(proxied("https://t.eu.auth0.com")).toBeUndefined();
  });

  it("describes a proxy without its credentials, and hands those to the redactor", () => {
    const url = new URL("http://ci%40corp:p%40ss@proxy.corp:3128/path");
    expect(describeProxy(url)).toBe("http://***@proxy.corp:3128");
    expect(describeProxy("http://proxy.corp:3128")).toBe("http://proxy.corp:3128");
    expect(proxySecrets(url)).toEqual(["ci%40corp", "p%40ss", "ci@corp", "p@ss"]);
    expect(proxySecrets(undefined)).toEqual([]);
  });

  it("a proxy variable that is not a URL fails with a message that does not quote it", () => {
    process.env["HTTPS_PROXY"] = "http://user:pa ss@[bad";
    expect(() => proxied("https://t.eu.auth0.com")).toThrow(
      /is not a URL; set it to http:\/\/\[user:password@\]host:port, or unset it$/,
    );
  });
});
