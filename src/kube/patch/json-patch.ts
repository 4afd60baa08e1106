import type { JsonValue } from "../value/json.js";
import { badRequestPatch, PatchError, PatchErrorKinds, unprocessablePatch } from "./errors.js";
import {
  fromMutable,
  hasKey,
  isMutableObject,
  toMutable,
  type MutableJson,
  type MutableObject,
} from "./mutable-json.js";
import { jsonEqual } from "../value/equal.js";
import { unescapePointerToken } from "../value/pointer.js";

/**
 * JSON Patch (RFC 6902) as kube-apiserver 1.32 applies it, through
 * gopkg.in/evanphx/json-patch.v4. Where v4 departs from the RFC, v4 wins,
 * because that is what clients observe:
 * - `replace` of a missing object member adds it (only a missing parent or an
 *   array index out of range fails);
 * - `copy` from a missing object member copies null;
 * - negative array indices count from the end;
 * - a path that does not start with "/" has its first segment ignored.
 */

/** kube-apiserver rejects longer patches with 413 RequestEntityTooLarge before applying them. */
export const maxJsonPatchOperations = 10000;

type Container = MutableObject | MutableJson[];

interface Target {
  readonly container: Container;
  readonly key: string;
}

type Operation = Readonly<Record<string, MutableJson>>;

const missingValue = "missing value";
const invalidIndex = "invalid index referenced";

/** Applies `patch` (the decoded request body) to `document`; the input is not modified. */
export function applyJsonPatch(document: JsonValue, patch: JsonValue): JsonValue {
  const operations = decodeOperations(patch);
  let root = toMutable(document);
  if (!isContainer(root)) {
    throw unprocessablePatch(
      `json: cannot unmarshal ${jsonTypeName(root)} into Go value of type jsonpatch.partialDoc`,
    );
  }
  for (const operation of operations) root = applyOperation(root, operation);
  return fromMutable(root);
}

function decodeOperations(patch: JsonValue): readonly Operation[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    throw badRequestPatch(
      `json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  return (patch as readonly JsonValue[]).map((operation) => {
    const mutable = toMutable(operation);
    if (!isMutableObject(mutable)) {
      throw badRequestPatch(
        `json: cannot unmarshal ${jsonTypeName(mutable)} into Go value of type jsonpatch.Operation`,
      );
    }
    return mutable;
  });
}

function jsonTypeName(value: MutableJson | JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  return typeof value === "boolean" ? "bool" : typeof value;
}

function applyOperation(root: Container, operation: Operation): Container {
  const kind = typeof operation["op"] === "string" ? operation["op"] : "unknown";
  switch (kind) {
    case "add":
      return add(root, operation);
    case "remove":
      return remove(root, operation);
    case "replace":
      return replace(root, operation);
    case "move":
      return move(root, operation);
    case "copy":
      return copy(root, operation);
    case "test":
      return test(root, operation);
    default:
      throw unprocessablePatch(`Unexpected kind: ${kind}`);
  }
}

function stringMember(operation: Operation, member: "path" | "from"): string | undefined {
  const value = operation[member];
  return typeof value === "string" ? value : undefined;
}

/** The `value` member; an absent one reads as null, as a nil node does in evanphx/json-patch. */
function valueOf(operation: Operation): MutableJson {
  return operation["value"] ?? null;
}

function fail(message: string): never {
  throw unprocessablePatch(message);
}

function requirePath(operation: Operation, failure: string): string {
  return stringMember(operation, "path") ?? fail(failure);
}

function requireFrom(operation: Operation, verb: string): string {
  return (
    stringMember(operation, "from") ??
    fail(`${verb} operation failed to decode from: operation, missing from field: ${missingValue}`)
  );
}

function requireTarget(root: Container, path: string, failure: string): Target {
  return findTarget(root, path) ?? fail(`${failure}: ${missingValue}`);
}

/** Runs `step`, prefixing any failure the way pkg/errors.Wrapf does. */
function wrapped<T>(prefix: string, step: () => T): T {
  try {
    return step();
  } catch (error: unknown) {
    if (error instanceof PatchError && error.kind === PatchErrorKinds.unprocessable)
      fail(`${prefix}: ${error.message}`);
    throw error;
  }
}

function add(root: Container, operation: Operation): Container {
  const path = requirePath(operation, `add operation failed to decode path: ${missingValue}`);
  const target = requireTarget(root, path, `add operation does not apply: doc is missing path: "${path}"`);
  wrapped(`error in add for path: '${path}'`, () => addAt(target, valueOf(operation)));
  return root;
}

function remove(root: Container, operation: Operation): Container {
  const path = requirePath(operation, `remove operation failed to decode path: ${missingValue}`);
  const target = requireTarget(root, path, `remove operation does not apply: doc is missing path: "${path}"`);
  wrapped(`error in remove for path: '${path}'`, () => removeAt(target));
  return root;
}

function replace(root: Container, operation: Operation): Container {
  const path = requirePath(
    operation,
    `replace operation failed to decode path: operation missing path field: ${missingValue}`,
  );
  const value = valueOf(operation);
  if (path === "") {
    // evanphx/json-patch v4 wraps a nil error here, so a scalar replacement of the whole document is a silent no-op.
    return isContainer(value) ? value : root;
  }
  const target = requireTarget(root, path, `replace operation does not apply: doc is missing path: ${path}`);
  if (childOf(target.container, target.key) === undefined && Array.isArray(target.container)) {
    fail(`replace operation does not apply: doc is missing key: ${path}: ${missingValue}`);
  }
  setAt(target, value);
  return root;
}

function move(root: Container, operation: Operation): Container {
  const from = requireFrom(operation, "move");
  const source = requireTarget(
    root,
    from,
    `move operation does not apply: doc is missing from path: ${from}`,
  );
  const value = wrapped(`error in move for path: '${source.key}'`, () => getAt(source));
  wrapped(`error in move for path: '${source.key}'`, () => removeAt(source));
  const path = requirePath(
    operation,
    `move operation failed to decode path: operation missing path field: ${missingValue}`,
  );
  const target = requireTarget(
    root,
    path,
    `move operation does not apply: doc is missing destination path: ${path}`,
  );
  wrapped(`error in move for path: '${path}'`, () => addAt(target, value ?? null));
  return root;
}

function copy(root: Container, operation: Operation): Container {
  const from = requireFrom(operation, "copy");
  const source = requireTarget(
    root,
    from,
    `copy operation does not apply: doc is missing from path: ${from}`,
  );
  const value = wrapped(`error in copy for from: '${from}'`, () => getAt(source));
  const path = requirePath(operation, `copy operation failed to decode path: ${missingValue}`);
  const target = requireTarget(
    root,
    path,
    `copy operation does not apply: doc is missing destination path: ${path}`,
  );
  const duplicate = value === undefined ? null : toMutable(fromMutable(value));
  wrapped("error while adding value during copy", () => addAt(target, duplicate));
  return root;
}

function test(root: Container, operation: Operation): Container {
  const path = requirePath(
    operation,
    `test operation failed to decode path: operation missing path field: ${missingValue}`,
  );
  const target = requireTarget(root, path, `test operation does not apply: is missing path: ${path}`);
  const actual = wrapped(`error in test for path: '${path}'`, () => getAt(target)) ?? null;
  const expected = operation["value"];
  // A missing member and an explicit null are the same nil node to evanphx/json-patch.
  const passed =
    actual === null ? (expected ?? null) === null : expected !== undefined && jsonEqual(actual, expected);
  if (!passed) fail(`testing value ${path} failed: test failed`);
  return root;
}

function isContainer(value: MutableJson | undefined): value is Container {
  return Array.isArray(value) || isMutableObject(value);
}

function findTarget(root: Container, path: string): Target | undefined {
  const segments = path.split("/");
  if (segments.length < 2) return undefined;
  let current: Container = root;
  for (const segment of segments.slice(1, -1)) {
    const next = childOf(current, unescapePointerToken(segment));
    if (!isContainer(next)) return undefined;
    current = next;
  }
  return { container: current, key: unescapePointerToken(segments.at(-1) ?? "") };
}

function childOf(container: Container, key: string): MutableJson | undefined {
  try {
    return getAt({ container, key });
  } catch (error: unknown) {
    if (error instanceof PatchError) return undefined;
    throw error;
  }
}

/** strconv.Atoi: optional sign, decimal digits, within int64. */
function parseIndex(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) fail(`strconv.Atoi: parsing "${key}": invalid syntax`);
  const index = Number(key);
  if (!Number.isSafeInteger(index)) fail(`strconv.Atoi: parsing "${key}": value out of range`);
  return index;
}

/** Resolves a possibly negative index against `length`, or fails as evanphx/json-patch does. */
function resolveIndex(index: number, length: number): number {
  if (index >= length || index < -length) fail(`Unable to access invalid index: ${index}: ${invalidIndex}`);
  return index < 0 ? index + length : index;
}

function getAt(target: Target): MutableJson | undefined {
  const { container, key } = target;
  if (!Array.isArray(container)) return hasKey(container, key) ? container[key] : undefined;
  return container[resolveIndex(parseIndex(key), container.length)];
}

function setAt(target: Target, value: MutableJson): void {
  const { container, key } = target;
  if (Array.isArray(container)) container[resolveIndex(parseIndex(key), container.length)] = value;
  else container[key] = value;
}

function addAt(target: Target, value: MutableJson): void {
  const { container, key } = target;
  if (!Array.isArray(container)) {
    container[key] = value;
    return;
  }
  if (key === "-") {
    container.push(value);
    return;
  }
  const index = wrapped(`value was not a proper array index: '${key}'`, () => parseIndex(key));
  container.splice(resolveIndex(index, container.length + 1), 0, value);
}

function removeAt(target: Target): void {
  const { container, key } = target;
  if (Array.isArray(container)) {
    container.splice(resolveIndex(parseIndex(key), container.length), 1);
    return;
  }
  if (!hasKey(container, key)) fail(`Unable to remove nonexistent key: ${key}: ${missingValue}`);
  delete container[key];
}
