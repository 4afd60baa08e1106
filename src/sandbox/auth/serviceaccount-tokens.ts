import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { isJsonObject, type JsonObject } from "../../kube/value/json.js";
import { serviceAccountUser, type UserInfo } from "./user.js";

/** kube-apiserver's default `--service-account-issuer` and `--api-audiences` of a kubeadm cluster. */
export const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";
export const apiAudiences: readonly string[] = [serviceAccountIssuer];

export interface TokenClaims {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly audiences: readonly string[];
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The token's unique id (`jti`); set by `issue`, read back by `verify`. */
  readonly id?: string;
}

/**
 * kube-apiserver signs service account tokens with an RSA or ECDSA key (`--service-account-signing-key-file`)
 * so that others can verify them from its JWKS. The sandbox is the only verifier of its tokens, so
 * an HMAC-SHA-256 key (HS256) of its own does: random per sandbox, kept with `--data` in
 * identity.json so that tokens outlive a restart as a real cluster's do.
 */
export class ServiceAccountTokens {
  readonly #key: Buffer;
  readonly #keyId: string;

  constructor(key: Buffer) {
    this.#key = key;
    this.#keyId = createHash("sha256").update(key).digest("base64url").slice(0, 43);
  }

  issue(claims: TokenClaims): string {
    const header = encode({ alg: "HS256", kid: this.#keyId });
    const payload = encode({
      aud: [...claims.audiences],
      exp: claims.expiresAt,
      iat: claims.issuedAt,
      iss: serviceAccountIssuer,
      jti: claims.id ?? randomUUID(),
      "kubernetes.io": {
        namespace: claims.namespace,
        serviceaccount: { name: claims.name, uid: claims.uid },
      },
      nbf: claims.issuedAt,
      sub: `system:serviceaccount:${claims.namespace}:${claims.name}`,
    });
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`;
  }

  /** The claims of a token this sandbox signed, still valid at `now` and meant for the API; else undefined. */
  verify(token: string, now: Date): TokenClaims | undefined {
    const [header, payload, signature, ...rest] = token.split(".");
    if (header === undefined || payload === undefined || signature === undefined || rest.length > 0)
      return undefined;
    if (!this.#signedHere(`${header}.${payload}`, signature)) return undefined;
    const claims = claimsOf(decode(payload));
    if (claims === undefined) return undefined;
    const seconds = Math.floor(now.getTime() / 1000);
    if (claims.expiresAt <= seconds || claims.issuedAt > seconds + 60) return undefined;
    // A token requested for another audience (a Vault, a cloud provider) is not one for the API server.
    return claims.audiences.some((audience) => apiAudiences.includes(audience)) ? claims : undefined;
  }

  #sign(input: string): string {
    return createHmac("sha256", this.#key).update(input).digest("base64url");
  }

  #signedHere(input: string, signature: string): boolean {
    const expected = Buffer.from(this.#sign(input));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function encode(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function accountOf(
  payload: JsonObject,
): { readonly namespace: string; readonly name: string; readonly uid: string } | undefined {
  const kubernetes = payload["kubernetes.io"];
  const account = isJsonObject(kubernetes) ? kubernetes["serviceaccount"] : undefined;
  if (!isJsonObject(kubernetes) || !isJsonObject(account)) return undefined;
  const { namespace } = kubernetes;
  const { name, uid } = account;
  if (typeof namespace !== "string" || typeof name !== "string" || typeof uid !== "string") return undefined;
  return { namespace, name, uid };
}

function claimsOf(payload: unknown): TokenClaims | undefined {
  if (!isJsonObject(payload)) return undefined;
  const account = accountOf(payload);
  const { aud, exp, iat, jti } = payload;
  if (account === undefined || typeof exp !== "number" || typeof iat !== "number" || !Array.isArray(aud))
    return undefined;
  const audiences = aud.filter((audience): audience is string => typeof audience === "string");
  const id = typeof jti === "string" ? { id: jti } : {};
  return { ...account, audiences, issuedAt: iat, expiresAt: exp, ...id };
}

/** The ServiceAccount a token names, if it still exists: its uid, to tell a recreated one apart. */
export type ServiceAccountLookup = (namespace: string, name: string) => { readonly uid: string } | undefined;

/**
 * A bound token stops working when its ServiceAccount is deleted, or deleted and created again
 * under the same name (a new uid), as kube-apiserver's legacy-and-bound token validator checks.
 */
export function authenticateServiceAccount(
  tokens: ServiceAccountTokens,
  token: string,
  lookup: ServiceAccountLookup,
  now: Date,
): UserInfo | undefined {
  const claims = tokens.verify(token, now);
  if (claims === undefined) return undefined;
  const account = lookup(claims.namespace, claims.name);
  if (account === undefined || account.uid !== claims.uid) return undefined;
  const user = serviceAccountUser(claims.namespace, claims.name, claims.uid);
  // Since 1.30 the token's id is in the user's extra, so that audit events tell its uses apart.
  if (claims.id === undefined) return user;
  return { ...user, extra: { "authentication.kubernetes.io/credential-id": [`JTI=${claims.id}`] } };
}
