/**
 * How kube-apiserver answers a patch that cannot be applied. The kinds differ
 * by patch type, so the HTTP edge maps them (see the module README in index.ts):
 * - `badRequest`: 400 BadRequest with this message (malformed patch document).
 * - `unprocessable`: 422 Invalid whose message kube-apiserver replaces with the
 *   generic "the server rejected our request due to an error in our request"
 *   (a JSON patch operation that fails, a strategic list of lists).
 * - `internal`: 500 with an empty reason and this message, because
 *   kube-apiserver passes the strategicpatch error through unconverted.
 */
export const PatchErrorKinds = {
  badRequest: "BadRequest",
  unprocessable: "Unprocessable",
  internal: "Internal",
} as const;
export type PatchErrorKind = (typeof PatchErrorKinds)[keyof typeof PatchErrorKinds];

export class PatchError extends Error {
  readonly kind: PatchErrorKind;

  constructor(kind: PatchErrorKind, message: string) {
    super(message);
    this.name = "PatchError";
    this.kind = kind;
  }
}

export function badRequestPatch(message: string): PatchError {
  return new PatchError(PatchErrorKinds.badRequest, message);
}

export function unprocessablePatch(message: string): PatchError {
  return new PatchError(PatchErrorKinds.unprocessable, message);
}

export function internalPatch(message: string): PatchError {
  return new PatchError(PatchErrorKinds.internal, message);
}
