// The push hook's check (`/hooks/git`): a request proves it knows the shared secret the way the Git
// server sends it. Every comparison takes the same time whatever the guess, so the secret cannot be
// found a byte at a time.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type HookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HookHeaders, name: string): string | undefined {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof found === "string" ? found : found?.[0];
}

/** Equal-length digests first: timingSafeEqual alone would reveal the secret's length. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function hmacHex(body: Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * GitHub's (and Gitea's, Bitbucket Server's) `X-Hub-Signature-256: sha256=<HMAC hex of the body>`,
 * Gitea's `X-Gitea-Signature: <hex>`, GitLab's `X-Gitlab-Token: <secret>`, or
 * `Authorization: Bearer <secret>`. The first of these the request carries decides; an empty
 * secret verifies nothing.
 */
export function verifyPushSignature(body: Buffer, headers: HookHeaders, secret: string): boolean {
  if (secret === "") return false;
  const github = header(headers, "x-hub-signature-256");
  if (github !== undefined) return sameText(github.trim().toLowerCase(), `sha256=${hmacHex(body, secret)}`);
  const gitea = header(headers, "x-gitea-signature");
  if (gitea !== undefined) return sameText(gitea.trim().toLowerCase(), hmacHex(body, secret));
  const gitlab = header(headers, "x-gitlab-token");
  if (gitlab !== undefined) return sameText(gitlab, secret);
  const bearer = /^Bearer\s+(.+)$/i.exec(header(headers, "authorization") ?? "");
  return bearer !== null && sameText(bearer[1]?.trim() ?? "", secret);
}
