/**
 * Defense in depth for anything printed: removes known secret values and bearer tokens.
 * Errors are already built without secrets; this catches what a cause or a library might add.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value (client secret, access token, API token) that must never be printed. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[REDACTED]");
    for (const secret of this.secrets) out = out.split(secret).join("[REDACTED]");
    return out;
  }
}
