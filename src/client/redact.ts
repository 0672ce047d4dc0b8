/**
 * Defense in depth for anything printed: removes known secret values and bearer tokens.
 * Errors are already built without secrets; this catches what a cause, a library or Auth0 itself
 * echoes back, in any field (message, errorCode, error, error_description, …) and in the forms a
 * server echoes a value in: as sent, URL-encoded (form bodies, query strings) and JSON-escaped.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value (client secret, access token, API token, key) that must never be printed. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    for (const form of encodedForms(secret)) this.secrets.add(form);
  }

  redact(text: string): string {
    let out = text.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[REDACTED]");
    // Longest first, so that a value is not half-replaced by a shorter form of itself.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join("[REDACTED]");
    }
    return out;
  }

  /** `redact`, for a field of unknown type: strings are redacted, anything else is dropped. */
  redactField(value: unknown): string | undefined {
    return typeof value === "string" ? this.redact(value) : undefined;
  }
}

/** The value, and how it reads once URL-encoded (both flavours) or escaped inside a JSON string. */
function encodedForms(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
  // A multi-line value (a PEM key): each long line on its own, as a server may quote just one.
  for (const line of secret.split(/\r?\n/))
    if (line.trim().length >= 16 && line !== secret && !line.startsWith("-----")) forms.push(line.trim());
  return [...new Set(forms)];
}
