/**
 * The three PATCH content types of kube-apiserver 1.32, as pure functions over JSON.
 *
 * How kube-apiserver turns their failures into a Status (PatchError.kind):
 * - application/json-patch+json: an undecodable body is 400 BadRequest with the
 *   message; a failing operation is 422 Invalid with the fixed message
 *   "the server rejected our request due to an error in our request" and
 *   empty details; more than 10000 operations is 413.
 * - application/merge-patch+json: a null or scalar body is 400 "Invalid JSON Patch".
 * - application/strategic-merge-patch+json: `badRequest` errors are 400 with the
 *   message, a list of lists is 422 with the fixed message above, anything
 *   else is 500 with an empty reason and the message. Custom resources do not
 *   support it: 415 UnsupportedMediaType before any patching.
 */
export { PatchError, PatchErrorKinds, type PatchErrorKind } from "./errors.js";
export { applyJsonPatch, maxJsonPatchOperations } from "./json-patch.js";
export { applyMergePatch, invalidMergePatchMessage } from "./merge-patch.js";
export { applyStrategicMergePatch, StrategicMergePatchMessages } from "./strategic-merge-patch.js";
