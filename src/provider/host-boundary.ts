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
 *   `check`) reaches the engine as its message alone. For `check`, `diff`, `read` and `delete` the host also
 *   prints `${error}: ${error.stack}` to stderr: the message twice, then the frames. These errors say what
 *   happened and what to do, so that line is made one line, `pulumi-auth0-permissions: <message>`, like the
 *   package's other lines. Any other error (a bug) keeps its stack.
 * - Each method returns only once the lines it printed are delivered (engine-log.ts).
 */
export type Methods = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

/** The check result for a configuration problem: one failure, the message naming the key and the fix. */
export function configurationFailure(error: ConfigurationError): pulumi.dynamic.CheckResult {
  // No property: the engine would print the value of an input of that name, and config keys are not inputs.
  return { failures: [{ property: "", reason: error.message }] };
}

/** The same error, shown by the host as one line. Its message, class and cause are kept. */
export function asOneLine<E>(error: E): E {
  if (!(error instanceof Auth0PermissionsError)) return error;
  Object.defineProperty(error, "stack", { value: error.message, configurable: true, writable: true });
  Object.defineProperty(error, "toString", { value: () => PACKAGE_NAME, configurable: true, writable: true });
  return error;
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
