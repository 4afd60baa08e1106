/**
 * The OpenAPI documents the sandbox serves: /openapi/v3 (index), /openapi/v3/<gv path> and
 * /openapi/v2. kubectl 1.32 reads them to decide server-side field validation support
 * (QueryParamVerifierV3: the PATCH operation of the kind's path, tagged with
 * x-kubernetes-group-version-kind, must list a `fieldValidation` parameter), to build strategic
 * merge patches (x-kubernetes-patch-* on components.schemas) and for `kubectl explain`.
 */
import { createHash } from "node:crypto";
import type { GvkKey } from "../../kube/schema/gvk.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import type { ResourceInfo } from "../registry/types.js";
import { type Catalogue, type PathSpec, groupVersionPath, tagOf, resourcePaths } from "./paths.js";
import { customDefinitions } from "./crd-definitions.js";
import { definitionsFor } from "./definitions.js";
import { v3Document } from "./v3.js";
import { v2Document } from "./v2.js";

export interface OpenAPIServer {
  /** GET /openapi/v3: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`. */
  index(): JsonObject;
  /** GET /openapi/v3/<path> ("api/v1", "apis/apps/v1"); undefined when no such group/version is served. */
  document(path: string): JsonObject | undefined;
  /** The content hash of a group/version document (the index's `hash` query parameter, usable as ETag). */
  hash(path: string): string | undefined;
  /** GET /openapi/v2: one Swagger 2.0 document for every served resource. */
  v2(): JsonObject;
}

function contentHash(document: JsonObject): string {
  return createHash("sha512").update(JSON.stringify(document)).digest("hex").toUpperCase();
}

interface RenderedGroupVersion {
  readonly document: JsonObject;
  readonly hash: string;
}

/**
 * The OpenAPI documents for a set of served resources. Documents are built on first request
 * and kept: create a new server when the resource set (or a CRD schema) changes, so the
 * content hashes change and kubectl's cache (keyed by them) refreshes.
 */
export function createOpenAPIServer(
  resources: readonly ResourceInfo[],
  customSchemas: ReadonlyMap<GvkKey, unknown> = new Map(),
): OpenAPIServer {
  const catalogue: Catalogue = { resources, customSchemas };
  const groups = new Map<string, PathSpec[]>();
  for (const resource of [...resources].sort((a, b) =>
    a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0,
  )) {
    const key = groupVersionPath(resource);
    groups.set(key, [...(groups.get(key) ?? []), ...resourcePaths(catalogue, resource)]);
  }
  const custom = customDefinitions(catalogue, resources);
  const rendered = new Map<string, RenderedGroupVersion>();
  let v2: JsonObject | undefined;

  const render = (path: string): RenderedGroupVersion | undefined => {
    const paths = groups.get(path);
    if (paths === undefined) return undefined;
    let result = rendered.get(path);
    if (result === undefined) {
      const definitions = definitionsFor(paths, custom);
      const document = v3Document({ paths, definitions, custom, tag: tagOf(path) });
      result = { document, hash: contentHash(document) };
      rendered.set(path, result);
    }
    return result;
  };

  return {
    index() {
      const paths: Record<string, JsonValue> = {};
      for (const path of [...groups.keys()].sort()) {
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${render(path)?.hash ?? ""}` };
      }
      return { paths };
    },
    document: (path) => render(path)?.document,
    hash: (path) => render(path)?.hash,
    v2() {
      v2 ??= v2Document(groups, custom);
      return v2;
    },
  };
}
