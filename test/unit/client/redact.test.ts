import { describe, expect, it } from "vitest";
import { Redactor } from "../../../src/client/redact";

describe("the redactor", () => {
  const secret = 'a+b/c=d&e"f\\g h';
  const redactor = new Redactor();
  redactor.add(secret);

  it("removes a secret as sent, URL-encoded (both flavours) and JSON-escaped", () => {
    for (const form of [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      expect(redactor.redact(`echo: ${form} end`)).toBe("echo: [REDACTED] end");
    }
  });

  it("redacts fields of unknown type: strings redacted, anything else dropped", () => {
    expect(redactor.redactField(`code_${secret}`)).toBe("code_[REDACTED]");
    expect(redactor.redactField(42)).toBeUndefined();
  });

  it("removes each line of a multi-line key, and bearer tokens it was never told about", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    const keys = new Redactor();
    keys.add(pem);
    expect(keys.redact("bad key MIIEvQIBADANBgkqhkiG9w0BAQEFAASC here")).toBe("bad key [REDACTED] here");
    expect(keys.redact("Authorization: Bearer abc.def-ghi")).toBe("Authorization: Bearer [REDACTED]");
  });
});
