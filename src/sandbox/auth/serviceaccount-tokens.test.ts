import { describe, expect, it } from "vitest";
import { ServiceAccountTokens, apiAudiences, authenticateServiceAccount } from "./serviceaccount-tokens.js";

const key = Buffer.alloc(32, 7);
const issuedAt = 1_800_000_000;
const claims = {
  id: "token-1",
  namespace: "shop",
  name: "deployer",
  uid: "uid-1",
  audiences: apiAudiences,
  issuedAt,
  expiresAt: issuedAt + 3600,
};
const at = (seconds: number): Date => new Date(seconds * 1000);

describe("service account tokens", () => {
  const tokens = new ServiceAccountTokens(key);
  const token = tokens.issue(claims);
  const lookup = (uid: string | undefined) => (namespace: string, name: string) =>
    namespace === "shop" && name === "deployer" && uid !== undefined ? { uid } : undefined;

  it("authenticate as system:serviceaccount:NS:NAME with the service account groups", () => {
    expect(authenticateServiceAccount(tokens, token, lookup("uid-1"), at(issuedAt + 10))).toEqual({
      username: "system:serviceaccount:shop:deployer",
      uid: "uid-1",
      groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": ["JTI=token-1"] },
    });
  });

  it("stop working once expired, or when the ServiceAccount is gone or recreated", () => {
    expect(authenticateServiceAccount(tokens, token, lookup("uid-1"), at(issuedAt + 3600))).toBeUndefined();
    expect(authenticateServiceAccount(tokens, token, lookup(undefined), at(issuedAt))).toBeUndefined();
    expect(authenticateServiceAccount(tokens, token, lookup("uid-2"), at(issuedAt))).toBeUndefined();
  });

  it("are refused when signed by another sandbox, tampered with, or meant for another audience", () => {
    const other = new ServiceAccountTokens(Buffer.alloc(32, 8));
    expect(other.verify(token, at(issuedAt))).toBeUndefined();
    const [header, , signature] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ ...claims, sub: "x" })).toString("base64url");
    expect(tokens.verify(`${header}.${payload}.${signature}`, at(issuedAt))).toBeUndefined();
    const vault = tokens.issue({ ...claims, audiences: ["vault"] });
    expect(tokens.verify(vault, at(issuedAt))).toBeUndefined();
    expect(tokens.verify("not-a-jwt", at(issuedAt))).toBeUndefined();
  });
});
