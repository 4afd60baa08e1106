/**
 * Derives data/kubernetes-openapi-v1.32.json from the Kubernetes OpenAPI v2 document:
 * the definitions without descriptions (the facts patching, field validation and the
 * served /openapi/v3 need), and per group/version the resources the document serves.
 *
 *   npm run derive-schema [-- path/to/openapi-v2.json]
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultInput = resolve(repoRoot, "../shared/kubernetes/openapi-v2-v1.32.0.json");
const output = resolve(repoRoot, "data/kubernetes-openapi-v1.32.json");

/** Schema keywords kept verbatim; `properties`, `items` and `additionalProperties` hold nested schemas. */
const keptKeywords = new Set(["type", "format", "required", "$ref", "enum", "default"]);

function isMap(value: Json | undefined): value is JsonMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

function sortedKeys(value: JsonMap): string[] {
  return Object.keys(value).sort();
}

/**
 * Walks schema structure rather than stripping every "description" key: JSONSchemaProps
 * has properties named description, format and default that must survive.
 */
function slimSchema(schema: JsonMap): JsonMap {
  const result: JsonMap = {};
  for (const key of sortedKeys(schema)) {
    const value = schema[key];
    if (value === undefined) continue;
    if (key === "properties" && isMap(value)) {
      const properties: JsonMap = {};
      for (const name of sortedKeys(value)) {
        const property = value[name];
        if (isMap(property)) properties[name] = slimSchema(property);
      }
      result[key] = properties;
    } else if ((key === "items" || key === "additionalProperties") && isMap(value)) {
      result[key] = slimSchema(value);
    } else if (key === "additionalProperties" || keptKeywords.has(key) || key.startsWith("x-kubernetes-")) {
      result[key] = value;
    }
  }
  return result;
}

interface ResourceEntry {
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources: { [name: string]: { group: string; version: string; kind: string } };
}

const actionVerbs: Record<string, string> = {
  get: "get",
  list: "list",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
  deletecollection: "deletecollection",
  watch: "watch",
  watchlist: "watch",
};

/** "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale" → ["apis/apps/v1", true, "deployments", "scale"]. */
function splitPath(
  path: string,
): { gv: string; namespaced: boolean; resource: string; subresource: string } | undefined {
  const match =
    /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/(?:watch\/)?(namespaces\/\{namespace\}\/)?([a-z0-9]+)(?:\/\{name\})?(?:\/([a-z]+))?$/.exec(
      path,
    );
  if (!match) return undefined;
  return {
    gv: match[1],
    namespaced: match[2] !== undefined,
    resource: match[3],
    subresource: match[4] ?? "",
  };
}

function deriveResources(paths: JsonMap): Record<string, Record<string, ResourceEntry>> {
  const groups: Record<string, Record<string, ResourceEntry>> = {};
  for (const path of Object.keys(paths).sort()) {
    const parts = splitPath(path);
    const item = paths[path];
    if (!parts || !isMap(item)) continue;
    // "namespaces/{name}/finalize" style paths collide with namespaced ones; the namespaces resource itself is cluster-scoped.
    if (parts.resource === "namespaces" && parts.namespaced) continue;
    for (const method of ["get", "put", "post", "patch", "delete"]) {
      const operation = item[method];
      if (!isMap(operation)) continue;
      const gvk = operation["x-kubernetes-group-version-kind"];
      const action = operation["x-kubernetes-action"];
      if (!isMap(gvk) || typeof action !== "string") continue;
      const byResource = (groups[parts.gv] ??= {});
      const entry = (byResource[parts.resource] ??= {
        kind: "",
        namespaced: parts.namespaced,
        verbs: [],
        subresources: {},
      });
      if (parts.subresource === "") {
        entry.kind = text(gvk["kind"]);
        entry.namespaced ||= parts.namespaced;
        const verb = actionVerbs[action];
        if (verb !== undefined && !entry.verbs.includes(verb)) entry.verbs.push(verb);
      } else {
        entry.subresources[parts.subresource] = {
          group: text(gvk["group"]),
          version: text(gvk["version"]),
          kind: text(gvk["kind"]),
        };
      }
    }
  }
  for (const byResource of Object.values(groups)) {
    for (const [name, entry] of Object.entries(byResource)) {
      if (entry.kind === "") delete byResource[name];
      else entry.verbs.sort();
    }
  }
  return groups;
}

/** One definition per line keeps diffs of regenerated data readable. */
function render(definitions: JsonMap, resources: Record<string, Record<string, ResourceEntry>>): string {
  const definitionLines = Object.keys(definitions)
    .sort()
    .map((name) => `    ${JSON.stringify(name)}: ${JSON.stringify(definitions[name])}`);
  const resourceLines = Object.keys(resources)
    .sort()
    .map((gv) => `    ${JSON.stringify(gv)}: ${JSON.stringify(resources[gv])}`);
  return [
    "{",
    `  "source": "Kubernetes OpenAPI v2, v1.32.0 (Apache-2.0), slimmed by scripts/derive-schema.ts",`,
    `  "definitions": {`,
    definitionLines.join(",\n"),
    "  },",
    `  "resources": {`,
    resourceLines.join(",\n"),
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Defaults that kube-apiserver's OpenAPI v3 carries (from `// +default=` markers in k8s.io/api) but
 * the v2 document omits. Server-side apply needs them: a port without `protocol` is keyed as TCP.
 */
const v3OnlyDefaults: Readonly<Record<string, Readonly<Record<string, Json>>>> = {
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
  "io.k8s.api.core.v1.EndpointPort": { protocol: "TCP" },
  "io.k8s.api.discovery.v1.EndpointPort": { protocol: "TCP" },
};

function withV3Defaults(name: string, schema: JsonMap): JsonMap {
  const defaults = v3OnlyDefaults[name];
  const properties = schema["properties"];
  if (defaults === undefined || !isMap(properties)) return schema;
  const patched: Record<string, Json> = { ...properties };
  for (const [field, value] of Object.entries(defaults)) {
    const property = properties[field];
    if (isMap(property)) patched[field] = { ...property, default: value };
  }
  return { ...schema, properties: patched };
}

function main(): void {
  const input = process.argv[2] !== undefined ? resolve(process.argv[2]) : defaultInput;
  const raw = readFileSync(input, "utf8");
  const document = JSON.parse(raw) as JsonMap;
  const definitions = document["definitions"];
  const paths = document["paths"];
  if (!isMap(definitions) || !isMap(paths)) throw new Error(`${input}: not an OpenAPI v2 document`);
  const slim: JsonMap = {};
  for (const name of Object.keys(definitions)) {
    const definition = definitions[name];
    if (isMap(definition)) slim[name] = withV3Defaults(name, slimSchema(definition));
  }
  const text = render(slim, deriveResources(paths));
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, text);
  console.log(`read    ${input}: ${raw.length} bytes, ${Object.keys(definitions).length} definitions`);
  console.log(`wrote   ${output}: ${text.length} bytes`);
}

main();
