/** OpenAPI v2 (Swagger 2.0) rendering: one document for every served resource (GET /openapi/v2). */
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { bearerTokenScheme, info, responseMediaTypes } from "./common.js";
import type { CustomDefinition } from "./crd-definitions.js";
import { definitionsFor, renderDefinitions, styles } from "./definitions.js";
import { type OperationSpec, type PathSpec, parameterType, tagOf } from "./paths.js";

function v2Parameter(name: string, location: "query" | "path"): JsonObject {
  const parameter = { name, type: parameterType(name), uniqueItems: true };
  return location === "path" ? { ...parameter, in: "path", required: true } : { ...parameter, in: "query" };
}

function v2Operation(operation: OperationSpec, tag: string): JsonObject {
  const parameters: JsonValue[] = operation.query.map((name) => v2Parameter(name, "query"));
  if (operation.body !== undefined) {
    parameters.unshift({
      name: "body",
      in: "body",
      required: operation.method !== "delete",
      schema: { $ref: `#/definitions/${operation.body}` },
    });
  }
  const ok = { schema: { $ref: `#/definitions/${operation.response}` } };
  const responses: Record<string, JsonValue> = {
    "200": { description: "OK", ...ok },
    "401": { description: "Unauthorized" },
  };
  if (operation.extraCode === "201") responses["201"] = { description: "Created", ...ok };
  if (operation.extraCode === "202") responses["202"] = { description: "Accepted", ...ok };
  return {
    tags: [tag],
    operationId: operation.operationId,
    consumes: operation.patchTypes ?? ["*/*"],
    produces: [...responseMediaTypes],
    schemes: ["https"],
    parameters,
    responses,
    "x-kubernetes-action": operation.action,
    "x-kubernetes-group-version-kind": {
      group: operation.gvk.group,
      version: operation.gvk.version,
      kind: operation.gvk.kind,
    },
  };
}

function v2Paths(groups: ReadonlyMap<string, readonly PathSpec[]>): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [groupVersion, paths] of groups) {
    for (const path of paths) {
      const item: Record<string, JsonValue> = {
        parameters: [
          ...path.pathParameters.map((name) => v2Parameter(name, "path")),
          v2Parameter("pretty", "query"),
        ],
      };
      for (const operation of path.operations)
        item[operation.method] = v2Operation(operation, tagOf(groupVersion));
      result[path.path] = item;
    }
  }
  return result;
}

/** The Swagger 2.0 document of every served resource, paths grouped by group/version. */
export function v2Document(
  groups: ReadonlyMap<string, readonly PathSpec[]>,
  custom: ReadonlyMap<string, CustomDefinition>,
): JsonObject {
  const allPaths = [...groups.values()].flat();
  return {
    swagger: "2.0",
    info,
    paths: v2Paths(groups),
    definitions: renderDefinitions(definitionsFor(allPaths, custom), custom, styles.v2),
    securityDefinitions: {
      BearerToken: bearerTokenScheme,
    },
    security: [{ BearerToken: [] }],
  };
}
