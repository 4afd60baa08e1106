/** OpenAPI v3 rendering: one document per group/version (GET /openapi/v3/<path>). */
import type { OpenAPISchema } from "../../kube/schema/convert.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { type OperationSpec, type PathSpec, parameterType } from "./paths.js";
import { bearerTokenScheme, info, responseMediaTypes } from "./common.js";
import type { CustomDefinition } from "./crd-definitions.js";
import { renderDefinitions, styles } from "./definitions.js";

function v3Parameter(name: string, location: "query" | "path"): JsonObject {
  const schema = { type: parameterType(name), uniqueItems: true };
  return location === "path" ? { name, in: "path", required: true, schema } : { name, in: "query", schema };
}

function v3Content(mediaTypes: readonly string[], definition: string): JsonObject {
  const content: Record<string, JsonValue> = {};
  for (const mediaType of mediaTypes)
    content[mediaType] = { schema: { $ref: `#/components/schemas/${definition}` } };
  return content;
}

function v3Responses(operation: OperationSpec): JsonObject {
  const ok = { description: "OK", content: v3Content(responseMediaTypes, operation.response) };
  const responses: Record<string, JsonValue> = { "200": ok, "401": { description: "Unauthorized" } };
  if (operation.extraCode === "201") responses["201"] = { description: "Created", content: ok.content };
  if (operation.extraCode === "202") responses["202"] = { description: "Accepted", content: ok.content };
  return responses;
}

function v3Operation(operation: OperationSpec, tag: string): JsonObject {
  const result: Record<string, JsonValue> = {
    tags: [tag],
    operationId: operation.operationId,
    parameters: operation.query.map((name) => v3Parameter(name, "query")),
    responses: v3Responses(operation),
    "x-kubernetes-action": operation.action,
    "x-kubernetes-group-version-kind": {
      group: operation.gvk.group,
      version: operation.gvk.version,
      kind: operation.gvk.kind,
    },
  };
  if (operation.body !== undefined) {
    const mediaTypes = operation.patchTypes ?? ["*/*"];
    result["requestBody"] = {
      content: v3Content(mediaTypes, operation.body),
      required: operation.method !== "delete",
    };
  }
  return result;
}

function v3Paths(paths: readonly PathSpec[], tag: string): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const path of paths) {
    const item: Record<string, JsonValue> = {
      parameters: [
        ...path.pathParameters.map((name) => v3Parameter(name, "path")),
        v3Parameter("pretty", "query"),
      ],
    };
    for (const operation of path.operations) item[operation.method] = v3Operation(operation, tag);
    result[path.path] = item;
  }
  return result;
}

interface DocumentParts {
  readonly paths: readonly PathSpec[];
  readonly definitions: ReadonlyMap<string, OpenAPISchema>;
  readonly custom: ReadonlyMap<string, CustomDefinition>;
  readonly tag: string;
}

export function v3Document({ paths, definitions, custom, tag }: DocumentParts): JsonObject {
  return {
    openapi: "3.0.0",
    info,
    paths: v3Paths(paths, tag),
    components: {
      schemas: renderDefinitions(definitions, custom, styles.v3),
      securitySchemes: {
        BearerToken: bearerTokenScheme,
      },
    },
    security: [{ BearerToken: [] }],
  };
}
