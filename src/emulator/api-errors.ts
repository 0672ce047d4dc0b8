import { STATUS_CODES } from "node:http";

/** The Management API's error body: `{statusCode, error, message, errorCode?}` (auth0-api-facts.md §0, §9). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode?: string;
  attributes?: { error: string };
}

/** Thrown by route handlers; the server turns it into the error body. */
export class ApiError extends Error {
  override readonly name = "ApiError" as const;
  readonly body: ApiErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, errorCode?: string, headers: Record<string, string> = {}) {
    super(message);
    this.body = { statusCode: status, error: STATUS_CODES[status] ?? "Error", message };
    if (errorCode !== undefined) this.body.errorCode = errorCode;
    this.headers = headers;
  }

  get status(): number {
    return this.body.statusCode;
  }
}

export const userNotFound = (): ApiError => new ApiError(404, "The user does not exist.", "inexistent_user");

/** Recorded without an errorCode (auth0-api-facts.md §7). */
export const roleNotFound = (): ApiError => new ApiError(404, "The role does not exist.");

/** On the permission endpoints, naming the identifier (auth0-api-facts.md §1, §4: INFERRED from auth0-cli #348). */
export const resourceServerNotFound = (identifier: string): ApiError =>
  new ApiError(404, `The resource server does not exist: '${identifier}'`, "inexistent_resource_server");

/** On GET /resource-servers/{id}, as recorded: no `: '<id>'` suffix (§14). */
export const missingResourceServer = (): ApiError =>
  new ApiError(404, "The resource server does not exist", "inexistent_resource_server");

export const routeNotFound = (): ApiError => new ApiError(404, "Not Found");

export const insufficientScope = (expected: readonly string[]): ApiError =>
  new ApiError(403, `Insufficient scope, expected any of: ${expected.join(", ")}`, "insufficient_scope");

/** 401 bodies as users report them: a message repeated in `attributes.error`, no errorCode. */
export function unauthorized(message: string): ApiError {
  const error = new ApiError(401, message);
  error.body.attributes = { error: message };
  return error;
}

export const invalidBody = (detail: string, property?: string): ApiError =>
  new ApiError(
    400,
    property === undefined
      ? `Payload validation error: '${detail}'.`
      : `Payload validation error: '${detail}' on property ${property}.`,
    "invalid_body",
  );

export const invalidQuery = (detail: string, property?: string): ApiError =>
  new ApiError(
    400,
    property === undefined
      ? `Query validation error: '${detail}'.`
      : `Query validation error: '${detail}' on property ${property}.`,
    "invalid_query_string",
  );

export const invalidUri = (): ApiError =>
  new ApiError(400, "Path validation error: invalid percent-encoding.", "invalid_uri");

/** The z-schema type name Auth0's validation messages use ("Expected type array but found type null"). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
