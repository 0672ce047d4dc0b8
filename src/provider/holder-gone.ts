import { Auth0ApiError, UnrecognizedAnswerError } from "../errors";
import { describeHolder, holderPath, type Holder, type PermissionsApi } from "../client/permissions-api";
import { describeAnswer, toleranceOf } from "../client/write-tolerance";

/**
 * What a failed request says about its user or role, decided by the write-tolerance table:
 * - true: the holder is gone (Auth0's own "does not exist", or `GET` of the holder says so);
 * - false: Auth0 refused a permission of the request, and the holder was confirmed to exist;
 * - throws UnrecognizedAnswerError for a 404 Auth0 would not send about a user or role that exists
 *   (a proxy, a wrong custom domain, a moved route), and rethrows any other error.
 * So no 404 of unknown origin ever makes refresh drop a resource or destroy report "nothing to revoke".
 */
export async function holderGoneAfter(
  api: PermissionsApi,
  holder: Holder,
  error: unknown,
  method: string,
): Promise<boolean> {
  const answer = toleranceOf(error, { method, holder: holder.kind });
  if (answer === "alreadyGone") return true;
  if (answer !== "unsure" && answer !== "refused") throw error;
  if ((await api.confirmHolder(holder)) === "gone") return true;
  if (answer === "refused") return false;
  const said = error instanceof Auth0ApiError ? describeAnswer(error) : String(error);
  throw new UnrecognizedAnswerError(
    `Auth0 answered ${said} about ${describeHolder(holder)}, but GET ${holderPath(holder)} shows the ${holder.kind} ` +
      `exists, so that was not Auth0's "${holder.kind} does not exist". Nothing was concluded from it and nothing ` +
      "was recorded as done. Check that auth0:domain is the tenant's own domain (not a proxy or a gateway), then retry.",
    { cause: error },
  );
}
