import { AUTH0_PERMISSION_CAP } from "../config/defaults";
import type { Permission } from "../permissions/permission";
import { canonicalize, samePermissions } from "../permissions/permission-set";

/**
 * Input validation and canonicalization for `check`, which runs at preview time: every rule here
 * turns a mistake into a preview failure that names the property, before anything is sent.
 */

/** What Pulumi passes for a value that is not known yet during preview (`pulumi.runtime.unknownValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

const MAX_ID_LENGTH = 1024;
const MAX_IDENTIFIER_LENGTH = 600;
const MAX_PERMISSION_NAME_LENGTH = 280;

const PERMISSION_FIELDS = ["resourceServerIdentifier", "permissionName"] as const;

/** Longest piece of an input a message quotes. */
const MAX_QUOTED = 60;
/** Failures reported one by one; the rest are counted. */
const MAX_FAILURES_SHOWN = 10;

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

/** Validates an id (`userId`, `roleId`). Returns the value unchanged: ids are compared exactly. */
function checkId(value: unknown, property: string, failures: CheckFailure[]): unknown {
  if (isUnknown(value)) return value;
  const problem = idProblem(value);
  if (problem)
    failures.push({
      property,
      reason: `${property} ${problem}. Pass the Auth0 ${property === "userId" ? 'user_id, e.g. "auth0|64b1f..."' : 'role id, e.g. "rol_Ab12..."'}.`,
    });
  return value;
}

/** Validates the permission list; returns it canonical (deduplicated, sorted) when fully known. */
function checkPermissions(value: unknown, failures: CheckFailure[]): unknown {
  if (isUnknown(value)) return value;
  if (!Array.isArray(value)) {
    failures.push({
      property: "permissions",
      reason: `permissions must be a list of { resourceServerIdentifier, permissionName }, got ${typeName(value)}.`,
    });
    return value;
  }
  if (value.length === 0) {
    failures.push({
      property: "permissions",
      reason: "permissions must list at least one permission; to manage none, delete the resource instead.",
    });
    return value;
  }
  let complete = true;
  const failuresBefore = failures.length;
  value.forEach((item, index) => {
    if (isUnknown(item)) complete = false;
    else if (!checkPermission(item, `permissions[${index}]`, failures)) complete = false;
  });
  if (!complete || failures.length > failuresBefore) return value;
  const canonical = canonicalize(value as Permission[]);
  if (canonical.length > AUTH0_PERMISSION_CAP) {
    failures.push({
      property: "permissions",
      reason: `permissions lists ${canonical.length} distinct permissions; Auth0 allows at most ${AUTH0_PERMISSION_CAP} per user and per role. Split them across roles.`,
    });
  }
  return canonical;
}

/** True when the item is fully known (valid or not); pushes a failure per bad field. */
function checkPermission(item: unknown, property: string, failures: CheckFailure[]): boolean {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    failures.push({
      property,
      reason: `${property} must be an object { resourceServerIdentifier, permissionName }, got ${typeName(item)}.`,
    });
    return true;
  }
  const record = item as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(PERMISSION_FIELDS as readonly string[]).includes(key)) {
      const hint =
        key === "resource_server_identifier"
          ? " Use resourceServerIdentifier."
          : key === "permission_name"
            ? " Use permissionName."
            : "";
      failures.push({
        property: `${property}.${key}`,
        reason: `${property}.${key} is not a permission field; only resourceServerIdentifier and permissionName are allowed.${hint}`,
      });
    }
  }
  let known = true;
  for (const field of PERMISSION_FIELDS) {
    const fieldValue = record[field];
    if (isUnknown(fieldValue)) {
      known = false;
      continue;
    }
    const max = field === "permissionName" ? MAX_PERMISSION_NAME_LENGTH : MAX_IDENTIFIER_LENGTH;
    const problem = stringProblem(fieldValue, max);
    if (problem) {
      failures.push({
        property: `${property}.${field}`,
        reason: `${property}.${field} ${problem}.${fieldHint(field)}`,
      });
    } else if (field === "permissionName" && /\s/.test(fieldValue as string)) {
      failures.push({
        property: `${property}.${field}`,
        reason: `${property}.${field} must not contain white space (scopes are space-separated), got ${quote(fieldValue as string)}.`,
      });
    }
  }
  return known;
}

function fieldHint(field: (typeof PERMISSION_FIELDS)[number]): string {
  return field === "permissionName"
    ? ' Use the scope name defined on the API, e.g. "read:reports".'
    : ' Use the API\'s identifier (its audience), e.g. "https://api.example.com", not its id.';
}

/**
 * What is wrong with a user or role id, or undefined. `.` and `..` are refused: as a path segment,
 * any normalizing proxy would turn `/users/../permissions` into another endpoint.
 */
function idProblem(value: unknown): string | undefined {
  const problem = stringProblem(value, MAX_ID_LENGTH);
  if (problem !== undefined) return problem;
  if (value === "." || value === "..")
    return `must not be ${JSON.stringify(value)}, which a URL path reads as a directory`;
  return undefined;
}

/** True when the string has no lone surrogate, so it has a UTF-8 form (String#isWellFormed, ES2024). */
export function isWellFormed(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/** Describes what is wrong with a required string, or undefined if it is fine. */
function stringProblem(value: unknown, maxLength: number): string | undefined {
  if (value === undefined || value === null) return "is required";
  if (typeof value !== "string") return `must be a string, got ${typeName(value)}`;
  if (value === "") return "must not be empty";
  if (value.trim() === "") return "must not be only white space";
  if (value !== value.trim()) return `must not start or end with white space, got ${quote(value)}`;
  if (hasControlCharacter(value)) return "must not contain control characters";
  if (!isWellFormed(value)) return "must not contain a lone UTF-16 surrogate (it has no UTF-8 form to send)";
  if (value.length > maxLength) return `is ${value.length} characters long; the maximum is ${maxLength}`;
  return undefined;
}

/** U+0000 to U+001F and U+007F (DEL), without a regular expression full of control characters. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A value as messages show it: quoted, and cut short, so no failure echoes a whole input. */
function quote(value: string): string {
  return value.length > MAX_QUOTED
    ? `${JSON.stringify(value.slice(0, MAX_QUOTED))}… (${value.length} characters)`
    : JSON.stringify(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "string" ? `the string ${quote(value)}` : `a ${typeof value}`;
}

/** Validates an optional boolean flag. */
export function checkOptionalBoolean(
  value: unknown,
  property: string,
  fallback: boolean,
  failures: CheckFailure[],
): unknown {
  if (value === undefined || value === null) return fallback;
  if (isUnknown(value) || typeof value === "boolean") return value;
  failures.push({ property, reason: `${property} must be true or false, got ${typeName(value)}.` });
  return value;
}

/**
 * The `check` both resources share: credentials present (so a preview fails early without them),
 * the id property, the permission list, and any resource-specific fields from `more`.
 */
export function checkResourceInputs(
  news: Record<string, unknown>,
  idProperty: "userId" | "roleId",
  requireSettings: () => unknown,
  more: (failures: CheckFailure[]) => Record<string, unknown> = () => ({}),
): { inputs?: Record<string, unknown>; failures?: CheckFailure[] } {
  requireSettings();
  const failures: CheckFailure[] = [];
  const inputs = {
    ...news,
    [idProperty]: checkId(news[idProperty], idProperty, failures),
    permissions: checkPermissions(news["permissions"], failures),
    ...more(failures),
  };
  return failures.length > 0 ? { failures: forEngine(failures) } : { inputs };
}

/**
 * The failures as the engine gets them. Each reason already names its property and the fix. The
 * property itself is left empty: the engine prints a named property as `property <p> value {<v>}`
 * with the value it finds under that top-level key, which is `{<nil>}` for a nested one such as
 * `permissions[0].permissionName`, `{}` for an empty string, and the whole list (80 KB for 1001
 * permissions) for `permissions`. Without it the engine prints `resource '<name>' has a problem:
 * <reason>`. At most MAX_FAILURES_SHOWN are listed, then a count, so the message stays short.
 */
function forEngine(failures: readonly CheckFailure[]): CheckFailure[] {
  const shown = failures.slice(0, MAX_FAILURES_SHOWN).map((f) => ({ property: "", reason: f.reason }));
  const more = failures.length - shown.length;
  return more > 0 ? [...shown, { property: "", reason: `...and ${more} more problem(s) of the same kind.` }] : shown;
}

/** The list changed, compared as sets; a list not yet known during preview counts as changed. */
export function permissionsChanged(old: readonly Permission[], news: unknown): boolean {
  return !Array.isArray(news) || news.some(isUnknown) || !samePermissions(old, news as Permission[]);
}

/** `[property]` when the identity changed (or is not known yet): a replacement. */
export function replacesOnChange(property: string, old: string, news: unknown): string[] {
  return isUnknown(news) || news !== old ? [property] : [];
}
