import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { ApiError, StatusReasons, badRequest, invalid, notFound } from "../api/status.js";
import type { ResourceInfo } from "../registry/types.js";
import { apiVersionOf } from "../../kube/schema/gvk.js";
import type { ServerContext, RequestScope } from "./context.js";
import type { KindMachinery } from "./machinery.js";
import { typedDecodeError } from "./typed-decode.js";
import { FieldValidation, type WriteOptions } from "./write-options.js";
import { metadataOf } from "../../kube/object.js";

/** The request body must be an object of the endpoint's kind; missing apiVersion/kind default to it. */
export function decodeObject(body: unknown, info: ResourceInfo): KubeObject {
  if (!isJsonObject(body)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${info.kind})`);
  }
  const apiVersion = body["apiVersion"] ?? apiVersionOf(info);
  const kind = body["kind"] ?? info.kind;
  if (apiVersion !== apiVersionOf(info)) {
    throw badRequest(
      `the API version in the data (${textOf(apiVersion)}) does not match the expected API version (${apiVersionOf(info)})`,
    );
  }
  if (kind !== info.kind) {
    throw badRequest(
      `the kind in the data (${textOf(kind)}) does not match the expected kind (${info.kind})`,
    );
  }
  if (body["metadata"] !== undefined && !isJsonObject(body["metadata"])) {
    throw badRequest(`metadata: expected an object`);
  }
  const failure = typedDecodeError(body, info);
  if (failure !== undefined) throw badRequest(cannotBeHandled(info, failure));
  return { ...body, apiVersion, kind };
}

/** kube-apiserver's wrapping of a decoding error: `Secret in version "v1" cannot be handled as a Secret: …`. */
export function cannotBeHandled(info: Pick<ResourceInfo, "kind" | "version">, reason: string): string {
  return `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${reason}`;
}

/** A namespaced object sent to `/namespaces/NS/…` takes NS; a different one is a 400, as in kube-apiserver. */
export function checkNamespace(object: KubeObject, info: ResourceInfo, namespace: string): KubeObject {
  const metadata = metadataOf(object);
  const declared = metadata["namespace"];
  if (!info.namespaced) {
    if (typeof declared !== "string" || declared === "") return object;
    const { namespace: _dropped, ...rest } = metadata;
    return { ...object, metadata: rest };
  }
  if (typeof declared === "string" && declared !== "" && declared !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  return { ...object, metadata: { ...metadata, namespace } };
}

export function checkName(object: KubeObject, name: string): void {
  const declared = metadataOf(object)["name"];
  if (typeof declared === "string" && declared !== "" && declared !== name) {
    throw badRequest(`the name of the object (${declared}) does not match the name on the URL (${name})`);
  }
}

/**
 * fieldValidation: Strict fails on unknown fields; Warn (the default since 1.23) keeps going
 * with a `Warning` header per field; Ignore says nothing. Unknown fields are dropped either way.
 */
export function checkUnknownFields(
  context: ServerContext,
  kind: KindMachinery,
  object: KubeObject,
  options: { readonly fieldValidation: WriteOptions["fieldValidation"]; readonly scope: RequestScope },
): void {
  if (options.fieldValidation === FieldValidation.ignore) return;
  const unknown = context.machinery.unknownFields(kind, object);
  if (unknown.length === 0) return;
  const messages = unknown.map((path) => `unknown field "${path}"`);
  if (options.fieldValidation === FieldValidation.strict) {
    throw badRequest(cannotBeHandled(kind.info, `strict decoding error: ${messages.join(", ")}`));
  }
  options.scope.warnings.push(...messages);
}

/** NamespaceLifecycle admission: no writes into a namespace that does not exist or is terminating. */
export function checkNamespaceExists(context: ServerContext, info: ResourceInfo, namespace: string): void {
  if (!info.namespaced) return;
  const found = context.store.get({ group: "", resource: "namespaces", namespace: "", name: namespace });
  if (found === undefined) throw notFound({ group: "", resource: "namespaces" }, namespace);
  const status = found["status"];
  if (isJsonObject(status) && status["phase"] === "Terminating") {
    throw new ApiError(
      403,
      StatusReasons.forbidden,
      `${info.resource} "${textOf(metadataOf(found)["name"])}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
}

export function validateObject(kind: KindMachinery, object: KubeObject, old: KubeObject | undefined): void {
  const causes = kind.strategy.validate(object, old);
  if (causes.length > 0)
    throw invalid({ group: kind.info.group, kind: kind.info.kind }, nameFor(object), causes);
}

function nameFor(object: KubeObject): string {
  const metadata: JsonObject = metadataOf(object);
  const name = metadata["name"];
  return typeof name === "string" ? name : "";
}
