import { join } from "node:path";
import { startEmulator, type RunningEmulator, type SeedDocument } from "../../../src/emulator";
import { tuningConfig } from "../../helpers/config";
import { E2E_SEED } from "../../helpers/tenant";
import { E2eStack } from "./stack";

/** The e2e suite's declarative program: resources come from the stack config value `resources`. */
export const PROGRAM = join(__dirname, "..", "programs", "declarative");

export interface EmulatorConfig {
  /** Tuning keys of this package, by name (`{ maxRetries: "0" }`). */
  readonly tuning?: Record<string, string>;
  /** Instead of the emulator's own. */
  readonly domain?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/**
 * Points a stack at an emulator through stack config, in one `pulumi config set-all`: its domain and
 * client id, its client secret as a secret (the transcript shows `[value]`), plus tuning keys.
 */
export async function configureForEmulator(
  stack: E2eStack,
  emulator: RunningEmulator,
  config: EmulatorConfig = {},
): Promise<void> {
  await stack.setConfigs(
    {
      "auth0:domain": config.domain ?? emulator.domain,
      "auth0:clientId": config.clientId ?? emulator.clientId,
      ...tuningConfig(config.tuning ?? {}),
    },
    { "auth0:clientSecret": config.clientSecret ?? emulator.clientSecret },
  );
}

/** The emulator's domain and credentials as the environment variables the library reads when stack config has none. */
export function credentialsEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    AUTH0_DOMAIN: emulator.domain,
    AUTH0_CLIENT_ID: emulator.clientId,
    AUTH0_CLIENT_SECRET: emulator.clientSecret,
  };
}

/** A new stack of a program (the declarative one unless told) that trusts the emulator's CA and is configured for it. */
export async function configuredStack(
  emulator: RunningEmulator,
  options: EmulatorConfig & { program?: string; projectDir?: string; env?: Record<string, string> } = {},
): Promise<E2eStack> {
  const stack = await E2eStack.create(options.program ?? PROGRAM, {
    caCertPath: emulator.caCertPath!,
    ...(options.projectDir ? { projectDir: options.projectDir } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  await configureForEmulator(stack, emulator, options);
  return stack;
}

/** The set-up most e2e files share: an emulator seeded with E2E_SEED (unless told) and one stack configured for it. */
export async function startE2eStack(
  options: EmulatorConfig & { seed?: SeedDocument } = {},
): Promise<{ emulator: RunningEmulator; stack: E2eStack }> {
  const emulator = await startEmulator({ seed: options.seed ?? E2E_SEED });
  try {
    return { emulator, stack: await configuredStack(emulator, options) };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}
