import { createPublicKey, type KeyObject } from "node:crypto";
import { decodeJwt, jwtVerify } from "jose";
import { startServer } from "./servers";

/**
 * A token endpoint that accepts only a valid Private Key JWT, verified with jose as Auth0 does: the
 * seeded public key, the signature and algorithm, iss = sub = client id, aud = `https://{domain}/` as a
 * single string, exp at most 60 s after iat, and a jti never seen before. Anything else: 401
 * invalid_client with the reason. Other paths answer `[]` to a bearer token it issued.
 */
export async function startJwtTenant(client: { clientId: string; publicKeyPem: string }) {
  const publicKey: KeyObject = createPublicKey(client.publicKeyPem);
  const seenJti = new Set<string>();
  const accepted: Record<string, unknown>[] = [];
  const rejected: string[] = [];
  let domain = "";
  let failNext = 0;
  const server = await startServer(async (req, res, body) => {
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    };
    if (req.url !== "/oauth/token") {
      if (req.headers.authorization === "Bearer jwt-issued-token") json(200, []);
      else json(401, { statusCode: 401, error: "Unauthorized", message: "Invalid token" });
      return;
    }
    const form = new URLSearchParams(body);
    const refuse = (reason: string): void => {
      rejected.push(reason);
      json(401, { error: "invalid_client", error_description: reason });
    };
    if (form.get("client_secret") !== null) return refuse("a client secret was sent");
    if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return refuse("bad client_assertion_type");
    }
    const assertion = form.get("client_assertion") ?? "";
    try {
      const { payload, protectedHeader } = await jwtVerify(assertion, publicKey, {
        issuer: client.clientId,
        subject: client.clientId,
        audience: `https://${domain}/`,
        algorithms: ["RS256", "RS384", "PS256"],
      });
      if (typeof decodeJwt(assertion).aud !== "string") return refuse("aud must be a single string");
      if (typeof payload.iat !== "number" || typeof payload.exp !== "number" || payload.exp - payload.iat > 60) {
        return refuse("exp must be at most 60 s after iat");
      }
      if (typeof payload.jti !== "string" || seenJti.has(payload.jti)) return refuse("jti replayed or missing");
      seenJti.add(payload.jti);
      if (failNext > 0) {
        // The jti is spent, as at Auth0, although the answer is an error: a retry must bring a new one.
        failNext--;
        json(503, { error: "temporarily_unavailable" });
        return;
      }
      accepted.push({ ...payload, alg: protectedHeader.alg, client_id: form.get("client_id") });
      json(200, { access_token: "jwt-issued-token", expires_in: 86400, token_type: "Bearer" });
    } catch (error) {
      refuse(`invalid assertion: ${(error as Error).message}`);
    }
  });
  domain = new URL(server.url).host;
  return {
    url: server.url,
    domain,
    accepted,
    rejected,
    /** Answer the next `n` valid token requests with 503 after spending their jti, to make the client retry. */
    failTokenRequests: (n: number) => {
      failNext = n;
    },
    close: server.close,
  };
}
