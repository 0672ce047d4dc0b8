import { TokenIssuer } from "../../../src/emulator/tokens";
import { record } from "./figures";
import type { E2eStack } from "../../e2e/support/stack";

/**
 * The secret scan. Every access token any emulator in this worker issues is captured as it is
 * issued (by wrapping the emulator's TokenIssuer from the outside), every client secret is
 * registered when its emulator starts, and every artifact a test produces (state files, stack
 * exports, Pulumi output and logs, error messages, the emulator's request log) is searched for all
 * of them, and for anything JWT-shaped or a bearer header, which catches a token from a source the
 * capture missed.
 */
const issuedTokens = new Set<string>();
const clientSecrets = new Set<string>();

const originalIssue = TokenIssuer.prototype.issue;
if (!(originalIssue as { wrapped?: boolean }).wrapped) {
  const wrapped = function (this: TokenIssuer, ...args: Parameters<TokenIssuer["issue"]>) {
    const response = originalIssue.apply(this, args);
    issuedTokens.add(response.access_token);
    return response;
  };
  (wrapped as { wrapped?: boolean }).wrapped = true;
  TokenIssuer.prototype.issue = wrapped;
}

export function registerSecret(secret: string): void {
  clientSecrets.add(secret);
}

export function tokensIssued(): number {
  return issuedTokens.size;
}

/** A JWT (header.payload.signature, base64url JSON starting with `{"`), or a bearer credential. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/-]{16,}/gi;

export interface Finding {
  readonly artifact: string;
  readonly what: string;
  readonly at: number;
  /** The line it was found on, every known secret masked, at most 300 characters. */
  readonly line: string;
}

function countOccurrences(text: string, needle: string): number[] {
  const positions: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) positions.push(at);
  return positions;
}

function maskedLine(text: string, at: number): string {
  const start = text.lastIndexOf("\n", at) + 1;
  const end = text.indexOf("\n", at);
  let line = text.slice(start, end === -1 ? undefined : end);
  for (const secret of [...clientSecrets, ...issuedTokens]) line = line.split(secret).join("<masked>");
  return line.replace(JWT, "<jwt>").slice(0, 300);
}

/**
 * Pulumi's engine, at -v=9, logs the properties it marshals for the dynamic provider's Configure
 * call, and the dynamic provider server (in @pulumi/pulumi) does not accept secrets, so the engine
 * logs the decrypted stack config there. That line is Pulumi's, not this library's: the scan counts
 * it apart, and only that exact line.
 */
export function isPulumiEngineConfigureLog(finding: Finding): boolean {
  return (
    finding.what === "client secret" &&
    /Marshaling property for RPC\[Provider\[[^\]]*\]\.Configure\(\)\.inputs\]/.test(finding.line)
  );
}

/** Every place a known secret, a token, or something shaped like one appears in the text. */
export function findSecrets(artifact: string, text: string): Finding[] {
  const found: { what: string; at: number }[] = [];
  for (const secret of clientSecrets) {
    for (const at of countOccurrences(text, secret)) found.push({ what: "client secret", at });
  }
  for (const token of issuedTokens) {
    for (const at of countOccurrences(text, token)) found.push({ what: "access token", at });
    // A token cut short (a truncated log line) still gives away its signature.
    const signature = token.split(".")[2] ?? "";
    for (const at of countOccurrences(text, signature)) found.push({ what: "token signature", at });
  }
  for (const match of text.matchAll(JWT)) found.push({ what: "JWT-shaped string", at: match.index });
  for (const match of text.matchAll(BEARER)) found.push({ what: "bearer credential", at: match.index });
  return found.map((f) => ({ artifact, ...f, line: maskedLine(text, f.at) }));
}

/** Collects a test file's artifacts; `finish()` scans them all, records the figures and returns the findings. */
export class SecretScan {
  private readonly artifacts: { name: string; text: string }[] = [];

  add(name: string, text: string): void {
    this.artifacts.push({ name, text });
  }

  /** A stack's Pulumi output, state file and export. */
  async addStack(stack: E2eStack): Promise<void> {
    this.add("pulumi output", stack.transcript.join("\n"));
    this.add("state file", stack.stateFileText());
    this.add("stack export", await stack.exportText());
  }

  get count(): number {
    return this.artifacts.length;
  }

  /**
   * Scans everything and records the figures. Returns every finding except Pulumi's own -v=9
   * Configure log line (see isPulumiEngineConfigureLog), which is counted in its own figure.
   */
  finish(section = "Secrets"): Finding[] {
    const all = this.artifacts.flatMap((artifact) => findSecrets(artifact.name, artifact.text));
    const engine = all.filter(isPulumiEngineConfigureLog);
    const findings = all.filter((finding) => !isPulumiEngineConfigureLog(finding));
    const bytes = this.artifacts.reduce((sum, artifact) => sum + Buffer.byteLength(artifact.text), 0);
    record(
      section,
      "artifacts scanned (state files, exports, Pulumi output and logs, errors, request logs)",
      this.artifacts.length,
    );
    record(section, "bytes scanned", bytes, "sum", "bytes");
    record(section, "client secrets searched for", clientSecrets.size);
    record(section, "access tokens issued and searched for", issuedTokens.size);
    record(
      section,
      "secrets found (state, exports, outputs, errors, request logs, this library's log lines)",
      findings.length,
    );
    record(
      section,
      "client secret in Pulumi's own -v=9 engine log line `Marshaling property for RPC[Provider.Configure().inputs]` (credentials in stack config; Pulumi's logging, not this library's)",
      engine.length,
    );
    return findings;
  }
}

/** A finding without the secret itself, for a failure message. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.what} in ${f.artifact} at offset ${f.at}: ${f.line}`).join("\n");
}
