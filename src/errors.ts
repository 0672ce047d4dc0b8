/**
 * Errors of this library. Messages are built only from allow-listed facts (operation, target,
 * status, Auth0's message and errorCode), never from request headers or bodies, so they can't
 * carry a secret. A network failure keeps a stripped copy of the original error as `cause`.
 */
export class Auth0PermissionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Missing or malformed configuration: fix the stack config or environment. */
export class ConfigurationError extends Auth0PermissionsError {}

/** Names what a request was doing, for messages: "grant permissions to user 'auth0|abc'". */
export interface OperationContext {
  /** e.g. "grant permissions" */
  readonly action: string;
  /** e.g. "user 'auth0|abc'" */
  readonly target: string;
}

/** Auth0 answered with an error status. */
export class Auth0ApiError extends Auth0PermissionsError {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly auth0Message: string | undefined;
  readonly attempts: number;

  constructor(args: {
    context: OperationContext;
    method: string;
    path: string;
    status: number;
    errorCode?: string | undefined;
    auth0Message?: string | undefined;
    attempts: number;
    hint?: string | undefined;
  }) {
    const said = args.auth0Message ? `: ${args.auth0Message}` : "";
    const code = args.errorCode ? ` (errorCode ${args.errorCode})` : "";
    const tries = args.attempts > 1 ? ` after ${args.attempts} attempts` : "";
    const hint = args.hint ? ` ${args.hint}` : "";
    super(
      `Could not ${args.context.action} ${args.context.target}: Auth0 answered ${args.status}${said}${code}` +
        ` to ${args.method} ${args.path}${tries}.${hint}`,
    );
    this.status = args.status;
    this.errorCode = args.errorCode;
    this.auth0Message = args.auth0Message;
    this.attempts = args.attempts;
  }
}

/** The request never got an HTTP answer (reset, timeout, DNS, TLS), even after retries. */
export class Auth0NetworkError extends Auth0PermissionsError {
  readonly code: string;
  constructor(args: {
    context: OperationContext;
    method: string;
    path: string;
    code: string;
    attempts: number;
    cause: unknown;
  }) {
    super(
      `Could not ${args.context.action} ${args.context.target}: ${args.method} ${args.path} failed with ${args.code}` +
        `${args.attempts > 1 ? ` after ${args.attempts} attempts` : ""}. Check that the tenant domain is reachable; ` +
        "the operation is safe to retry with `pulumi up`.",
      { cause: args.cause },
    );
    this.code = args.code;
  }
}

/** The token endpoint refused the credentials or failed. */
export class Auth0TokenError extends Auth0PermissionsError {}

/** The resource is recorded in one tenant but the provider is configured for another. */
export class WrongTenantError extends Auth0PermissionsError {}

/** The stack state of a resource is missing a field, holds one of the wrong type, or is from a newer version. */
export class MalformedStateError extends Auth0PermissionsError {}

/**
 * Auth0 (or whatever answered at the tenant's address) said something this library does not
 * recognize as an answer to the request: a 404 that is not Auth0's "does not exist", or a list
 * whose pages do not add up. Nothing is concluded from it.
 */
export class UnrecognizedAnswerError extends Auth0PermissionsError {}
