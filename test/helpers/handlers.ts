import type { Handlers } from "../../src/provider";

/**
 * Handlers that look up `current()` at each call, as the serialized provider does (`handlers(kind)`
 * per call): a test can hold them once while each test, or each deployment, builds a new runtime.
 */
export function forwardHandlers(current: () => Handlers): Handlers {
  return {
    check: (olds, news) => current().check(olds, news),
    diff: (id, olds, news) => current().diff(id, olds, news),
    create: (inputs) => current().create(inputs),
    read: (id, props) => current().read(id, props),
    update: (id, olds, news) => current().update(id, olds, news),
    delete: (id, props) => current().delete(id, props),
  };
}

/**
 * What a handler's error says. Not `String(error)`: an error of this package that leaves a handler prints as
 * the package name alone, so that the dynamic provider host's `${e}: ${e.stack}` line reads as one
 * `pulumi-auth0-permissions: <message>` (src/provider/host-boundary.ts).
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
