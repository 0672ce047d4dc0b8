import type * as pulumi from "@pulumi/pulumi";
import { Auth0PermissionsError, ConfigurationError } from "../errors";
import { PACKAGE_NAME } from "./engine-log";

/**
 * What crosses from the handlers to the dynamic provider host, and how the host shows it.
 *
 * - A configuration problem (a missing or malformed `auth0:domain`, missing credentials, white space in a
 *   secret, a bad tuning value) found by `check` is a check failure, so `pulumi preview` reports it on the
 *   resource, once, naming the key and the fix. Thrown, the host would print it with its stack trace.
 * - Any error of this package thrown by another method (refresh's `read` and destroy's `delete` never call
 *   `check`) reaches the engine as its message alone, shown on the resource. For `check`, `diff`, `read` and
 *   `delete` the host also prints `${error}: ${error.stack}` to stderr, shown under the Stack: the message
 *   twice, then the frames. These errors say what happened and what to do: that line is left out inside the
 *   host, and is one line, `pulumi-auth0-permissions: <message>`, where it is printed. Any other error (a
 *   bug) keeps its stack and its line.
 * - Each method returns only once the lines it printed are delivered (engine-log.ts).
 */
export type Methods = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

/** The check result for a configuration problem: one failure, the message naming the key and the fix. */
export function configurationFailure(error: ConfigurationError): pulumi.dynamic.CheckResult {
  // No property: the engine would print the value of an input of that name, and config keys are not inputs.
  return { failures: [{ property: "", reason: error.message }] };
}

/** Set inside the host (`quietHostErrorLines`): told the line the host is about to print for an error. */
let handOver: ((line: string) => void) | undefined;

/**
 * The same error, shown by the host as one line, `pulumi-auth0-permissions: <message>`. Its message, class
 * and cause are kept. Inside the host, that line is not printed at all (`quietHostErrorLines`).
 */
export function asOneLine<E>(error: E): E {
  if (!(error instanceof Auth0PermissionsError)) return error;
  const line = `${PACKAGE_NAME}: ${error.message}`;
  Object.defineProperty(error, "toString", { value: () => PACKAGE_NAME, configurable: true, writable: true });
  Object.defineProperty(error, "stack", {
    configurable: true,
    get: () => {
      handOver?.(line);
      return error.message;
    },
    set: (value: unknown) => Object.defineProperty(error, "stack", { value, configurable: true, writable: true }),
  });
  return error;
}

/**
 * Inside the host: the engine shows an error the host hands back on its resource, so the copy the host prints
 * to stderr for check, diff, read and delete, which the CLI shows again under the Stack, is left out. The
 * host builds that line (`${e}: ${e.stack}`) and prints it in one synchronous turn; reading `stack` hands
 * the expected line over, and `console.error` drops exactly that line in that turn. Anything else, and a
 * host that prints differently, is printed as before.
 */
export function quietHostErrorLines(target: Pick<Console, "error"> = console): void {
  let pending: string | undefined;
  handOver = (line) => {
    pending = line;
    queueMicrotask(() => {
      if (pending === line) pending = undefined;
    });
  };
  const print = target.error;
  target.error = function (this: unknown, ...args: unknown[]) {
    if (pending !== undefined && args.length === 1 && args[0] === pending) {
      pending = undefined;
      return;
    }
    return print.apply(this, args);
  };
}

export function atHostBoundary(methods: Methods, flush: () => Promise<void>): Methods {
  const guard =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>, onConfiguration?: (e: ConfigurationError) => R) =>
    async (...args: A): Promise<R> => {
      try {
        return await method(...args);
      } catch (error) {
        if (onConfiguration && error instanceof ConfigurationError) return onConfiguration(error);
        throw asOneLine(error);
      } finally {
        await flush();
      }
    };
  return {
    check: guard(methods.check.bind(methods), configurationFailure),
    diff: guard(methods.diff.bind(methods)),
    create: guard(methods.create.bind(methods)),
    read: guard(methods.read.bind(methods)),
    update: guard(methods.update.bind(methods)),
    delete: guard(methods.delete.bind(methods)),
  };
}
