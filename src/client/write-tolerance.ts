import { Auth0ApiError } from "../errors";

/**
 * The one table of answers this library tolerates: which error answers mean "already granted",
 * "already gone" or "refused", and so are not failures of the operation. Everything not in the
 * table is an error, reported as answered. Rows are keyed on status and Auth0's `errorCode`, and,
 * where Auth0 sends no code, on its recorded message (auth0-api-facts.md §7, §12.5, §14), never on
 * the emulator's wording.
 *
 * A 404 is not "gone" by itself: a proxy, a gateway, a wrong custom domain or a moved route answers
 * `{"statusCode":404,"error":"Not Found","message":"Not Found"}` too. A 404 outside the table is
 * `unsure`: the caller asks `GET /api/v2/users/{id}` (or `/roles/{id}`) before concluding anything.
 */
export type Tolerance =
  /** POST of permissions the holder already has: send only the missing ones. */
  | "alreadyGranted"
  /** The user or role itself does not exist: nothing left to revoke or restore. */
  | "alreadyGone"
  /**
   * Auth0 refused a permission of the request (its API no longer exists, or Auth0 rejects it): a batch
   * is retried one permission at a time; a single permission so refused is skipped, and named.
   */
  | "refused"
  /** A 404 that is not one of Auth0's "does not exist" answers: confirm with GET of the holder. */
  | "unsure"
  /** Anything else: the error stands. */
  | "error";

export type HolderKind = "user" | "role";

export interface Answer {
  readonly method: string;
  readonly holder: HolderKind;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly message: string | undefined;
}

interface Row {
  readonly tolerance: Exclude<Tolerance, "error">;
  /** Why, and where the answer is recorded. */
  readonly why: string;
  readonly matches: (answer: Answer) => boolean;
}

/** Auth0's validation codes: our request itself was malformed, which no permission is to blame for. */
const VALIDATION_CODES = new Set(["invalid_body", "invalid_uri", "invalid_query_string"]);

const TOLERANCE_TABLE: readonly Row[] = [
  {
    tolerance: "alreadyGranted",
    why: "409 to a POST: a tenant that refuses to assign what is already assigned (§13.1 is open)",
    matches: (a) => a.method === "POST" && a.status === 409,
  },
  {
    tolerance: "alreadyGone",
    why: "404 with errorCode inexistent_user: Auth0's own 'The user does not exist.' (recorded, §7)",
    matches: (a) => a.holder === "user" && a.status === 404 && a.errorCode === "inexistent_user",
  },
  {
    tolerance: "alreadyGone",
    why: "404 'The role does not exist.' with no errorCode: Auth0's own answer for a missing role (recorded, §7)",
    matches: (a) =>
      a.holder === "role" && a.status === 404 && a.errorCode === undefined && a.message === "The role does not exist.",
  },
  {
    tolerance: "refused",
    why: "404 with errorCode inexistent_resource_server: a permission's API was deleted (recorded, §14)",
    matches: (a) => a.method !== "GET" && a.status === 404 && a.errorCode === "inexistent_resource_server",
  },
  {
    tolerance: "refused",
    why:
      "400 to a write, other than a validation error of the request itself: Auth0 rejects a permission " +
      "(a deleted scope; its exact answer is not recorded, §13.2). Skipped and named, never silently",
    matches: (a) => a.method !== "GET" && a.status === 400 && !VALIDATION_CODES.has(a.errorCode ?? ""),
  },
  {
    tolerance: "unsure",
    why: "any other 404: not Auth0's 'does not exist'; confirm with GET of the user or role",
    matches: (a) => a.status === 404,
  },
];

/** The first row that matches, or "error". Pure. */
export function tolerance(answer: Answer): Tolerance {
  return TOLERANCE_TABLE.find((row) => row.matches(answer))?.tolerance ?? "error";
}

/** `tolerance` of a thrown error: only an Auth0ApiError (an HTTP answer) can be tolerated. */
export function toleranceOf(
  error: unknown,
  request: { readonly method: string; readonly holder: HolderKind },
): Tolerance {
  if (!(error instanceof Auth0ApiError)) return "error";
  return tolerance({ ...request, status: error.status, errorCode: error.errorCode, message: error.auth0Message });
}

/** "404: Not Found (errorCode x)": what was answered, for messages. */
export function describeAnswer(error: Auth0ApiError): string {
  return (
    `${error.status}${error.auth0Message ? `: ${error.auth0Message}` : ""}` +
    `${error.errorCode ? ` (errorCode ${error.errorCode})` : ""}`
  );
}
