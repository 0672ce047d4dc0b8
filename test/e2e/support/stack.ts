import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for assertions and secret scans. */
  readonly output: string;
}

/** A command started by `E2eStack.start`: its pid, and its result once it exits. */
export interface StartedCommand {
  readonly pid: number;
  readonly result: Promise<RunResult>;
}

let counter = 0;

/**
 * A Pulumi project folder inside the scratch user project (so it resolves the installed,
 * packed package) and one stack of it, driven through the real CLI on a file:// backend.
 * Commands run asynchronously: the emulator serves from this same process.
 */
export class E2eStack {
  readonly dir: string;
  readonly name: string;
  private readonly env: NodeJS.ProcessEnv;
  /** Everything every command printed, for the secret scan. */
  readonly transcript: string[] = [];

  private constructor(dir: string, name: string, env: NodeJS.ProcessEnv) {
    this.dir = dir;
    this.name = name;
    this.env = env;
  }

  /** Copies a program folder (index.ts [+ Pulumi.yaml]) into the scratch project and inits a stack. */
  static async create(
    programDir: string,
    options: { caCertPath: string; env?: Record<string, string>; stack?: string; projectDir?: string },
  ): Promise<E2eStack> {
    const e2e = inject("e2e");
    const cli = await import(join(e2e.repo, "scripts", "pulumi-cli.mjs"));
    const dir = join(options.projectDir ?? e2e.projectDir, "programs", `p${++counter}-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(programDir)) {
      if (file.endsWith(".ts")) cpSync(join(programDir, file), join(dir, file));
    }
    writeFileSync(
      join(dir, "Pulumi.yaml"),
      `name: e2e-program\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
    );
    const env = cli.pulumiEnv({
      binDir: e2e.binDir,
      nodeBinDir: e2e.nodeBinDir,
      home: join(e2e.workDir, "pulumi-home"),
      backendDir: join(e2e.workDir, "backend"),
      passphrase: "e2e-passphrase",
      extra: { NODE_EXTRA_CA_CERTS: options.caCertPath, ...options.env },
    }) as NodeJS.ProcessEnv;
    mkdirSync(join(e2e.workDir, "backend"), { recursive: true });
    // Test files share one backend: stack names must be unique across them.
    const stack = new E2eStack(dir, options.stack ?? `s${counter}-${randomBytes(4).toString("hex")}`, env);
    await stack.mustRun(["stack", "init", stack.name]);
    return stack;
  }

  /**
   * Starts `pulumi <args>` for this stack without waiting, so a test can watch the tenant or the
   * process tree and kill the CLI mid-way. Its output lands in the transcript like every other command.
   * With a `wrapper` (e.g. `["strace", ...]`), the wrapper runs the pulumi command line and `pid` is its.
   */
  start(
    args: string[],
    extraEnv: Record<string, string> = {},
    shownArgs: string[] = args,
    wrapper: readonly string[] = [],
  ): StartedCommand {
    const flags = ["--non-interactive", ...(args[0] === "stack" && args[1] === "init" ? [] : ["--stack", this.name])];
    // Flags go before a `--`, after which everything is a value.
    const split = args.indexOf("--");
    const argv = split < 0 ? [...args, ...flags] : [...args.slice(0, split), ...flags, ...args.slice(split)];
    const child = spawn(
      wrapper[0] ?? "pulumi",
      [...wrapper.slice(1), ...(wrapper.length > 0 ? ["pulumi"] : []), ...argv],
      {
        cwd: this.dir,
        env: { ...this.env, ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const result = new Promise<RunResult>((resolve) =>
      child.on("close", (code, signal) => {
        const output = `${stdout}\n${stderr}`;
        this.transcript.push(`$ pulumi ${shownArgs.join(" ")}\n${output}`);
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, output });
      }),
    );
    return { pid: child.pid!, result };
  }

  run(args: string[], extraEnv: Record<string, string> = {}, shownArgs: string[] = args): Promise<RunResult> {
    return this.start(args, extraEnv, shownArgs).result;
  }

  /** Runs and throws with the full output when the command fails. */
  async mustRun(args: string[], extraEnv: Record<string, string> = {}, shownArgs: string[] = args): Promise<RunResult> {
    const result = await this.run(args, extraEnv, shownArgs);
    if (result.code !== 0) throw new Error(`pulumi ${shownArgs.join(" ")} exited ${result.code}:\n${result.output}`);
    return result;
  }

  async setConfig(key: string, value: string, secret = false): Promise<void> {
    const args = ["config", "set", ...(secret ? ["--secret"] : []), key, "--"];
    // The transcript is scanned for secrets: it records what Pulumi printed, not the value we typed.
    await this.mustRun([...args, value], {}, [...args, secret ? "[value]" : value]);
  }

  /** `pulumi config set-all`; secret values never reach the transcript (it shows `[value]`). */
  async setConfigs(plain: Record<string, string>, secret: Record<string, string> = {}): Promise<void> {
    const args = ["config", "set-all"];
    const shown = ["config", "set-all"];
    for (const [k, v] of Object.entries(plain)) {
      args.push("--plaintext", `${k}=${v}`);
      shown.push("--plaintext", `${k}=${v}`);
    }
    for (const [k, v] of Object.entries(secret)) {
      args.push("--secret", `${k}=${v}`);
      shown.push("--secret", `${k}=[value]`);
    }
    if (args.length > 2) await this.mustRun(args, {}, shown);
  }

  async setResources(resources: readonly ResourceSpec[]): Promise<void> {
    await this.setConfig("resources", JSON.stringify(resources));
  }

  up(...flags: string[]): Promise<RunResult> {
    return this.mustRun(["up", "--yes", "--skip-preview", ...flags]);
  }

  preview(...flags: string[]): Promise<RunResult> {
    return this.run(["preview", "--diff", ...flags]);
  }

  refresh(...flags: string[]): Promise<RunResult> {
    return this.run(["refresh", "--yes", "--skip-preview", ...flags]);
  }

  destroy(...flags: string[]): Promise<RunResult> {
    return this.mustRun(["destroy", "--yes", "--skip-preview", ...flags]);
  }

  async exportText(): Promise<string> {
    return (await this.mustRun(["stack", "export"])).stdout;
  }

  /** The raw state file of this stack on the file:// backend. */
  stateFileText(): string {
    const backend = join(inject("e2e").workDir, "backend", ".pulumi", "stacks", "e2e-program");
    return readFileSync(join(backend, `${this.name}.json`), "utf8");
  }

  async urnOf(name: string): Promise<string> {
    const exported = JSON.parse(await this.exportText()) as { deployment: { resources?: { urn: string }[] } };
    const urn = exported.deployment.resources?.find((r) => r.urn.endsWith(`::${name}`))?.urn;
    if (!urn) throw new Error(`no resource named ${name} in the stack`);
    return urn;
  }
}

/** One resource of the declarative test program (test/e2e/programs/declarative). */
export interface ResourceSpec {
  readonly kind: "user" | "role";
  readonly name: string;
  readonly id: string;
  readonly permissions: readonly { resourceServerIdentifier: string; permissionName: string }[] | unknown;
  readonly restoreOnDelete?: boolean;
}
