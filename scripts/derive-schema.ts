/**
 * Derives data/kubernetes-openapi-v1.32.json from the Kubernetes OpenAPI v2 document:
 * the definitions without descriptions (the facts patching, field validation and the
 * served /openapi/v3 need), and per group/version the resources the document serves.
 * The descriptions go to data/kubernetes-openapi-descriptions-v1.32.json.gz: only the served
 * OpenAPI documents (`kubectl explain`) need them, and they are three quarters of the text.
 *
 * Input: the OpenAPI v2 document of the target Kubernetes version (v1.32.0, Apache-2.0, 3.3 MB),
 * which Kubernetes publishes in its repository at api/openapi-spec/swagger.json:
 *
 *   curl -fsSLo openapi-v2-v1.32.0.json \
 *     https://raw.githubusercontent.com/kubernetes/kubernetes/v1.32.0/api/openapi-spec/swagger.json
 *   npm run derive-schema -- openapi-v2-v1.32.0.json
 *
 * The path is the first argument, else $KUBEDRIFT_OPENAPI_V2, else
 * ../shared/kubernetes/openapi-v2-v1.32.0.json beside the checkout. The document is not committed,
 * only what is derived from it (docs/adr/0002). Without it the script fails in one line.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultInput = resolve(repoRoot, "../shared/kubernetes/openapi-v2-v1.32.0.json");
const output = resolve(repoRoot, "data/kubernetes-openapi-v1.32.json");
const descriptionsOutput = resolve(repoRoot, "data/kubernetes-openapi-descriptions-v1.32.json.gz");

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

/**
 * The descriptions of one schema, shaped like the schema so that src/sandbox/openapi/ can lay
 * them back on it: a bare string when the schema has nothing described below it.
 */
type DescriptionNode =
  | string
  | {
      description?: string;
      properties?: { [name: string]: DescriptionNode };
      items?: DescriptionNode;
      additionalProperties?: DescriptionNode;
    };

function describeProperties(properties: JsonMap): { [name: string]: DescriptionNode } | undefined {
  const described: { [name: string]: DescriptionNode } = {};
  for (const name of sortedKeys(properties)) {
    const property = properties[name];
    const node = isMap(property) ? describeSchema(property) : undefined;
    if (node !== undefined) described[name] = node;
  }
  return Object.keys(described).length > 0 ? described : undefined;
}

/** Follows the same structure as slimSchema, so a JSONSchemaProps property named "description" is not mistaken for one. */
function describeSchema(schema: JsonMap): DescriptionNode | undefined {
  const description = schema["description"];
  const properties = schema["properties"];
  const items = schema["items"];
  const additionalProperties = schema["additionalProperties"];
  const node: Exclude<DescriptionNode, string> = {};
  if (typeof description === "string" && description !== "") node.description = description;
  const describedProperties = isMap(properties) ? describeProperties(properties) : undefined;
  if (describedProperties !== undefined) node.properties = describedProperties;
  const describedItems = isMap(items) ? describeSchema(items) : undefined;
  if (describedItems !== undefined) node.items = describedItems;
  const describedValues = isMap(additionalProperties) ? describeSchema(additionalProperties) : undefined;
  if (describedValues !== undefined) node.additionalProperties = describedValues;
  const keys = Object.keys(node);
  if (keys.length === 0) return undefined;
  return keys.length === 1 && node.description !== undefined ? node.description : node;
}

/**
 * Compact JSON at gzip level 9: 750 kB of text become ~150 kB. A table of repeated strings saved
 * only another 5 %, not worth a second format. zlib writes mtime 0 but the build platform in the
 * OS byte (3 on Unix, 10 on Windows); pinning it to 255 (unknown, RFC 1952) makes the bytes the
 * same wherever the script runs with the same zlib.
 */
function gzipDescriptions(definitions: { [name: string]: DescriptionNode }): Buffer {
  const json = JSON.stringify({
    source: "Kubernetes OpenAPI v2, v1.32.0 (Apache-2.0), descriptions extracted by scripts/derive-schema.ts",
    definitions,
  });
  const gzipped = gzipSync(json, { level: constants.Z_BEST_COMPRESSION, memLevel: 9 });
  gzipped.writeUInt32LE(0, 4);
  gzipped[9] = 255;
  return gzipped;
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

const sourceUrl =
  "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.32.0/api/openapi-spec/swagger.json";

const usage = `Usage: npm run derive-schema [-- PATH]

Derives data/kubernetes-openapi-v1.32.json and data/kubernetes-openapi-descriptions-v1.32.json.gz
from the Kubernetes OpenAPI v2 document of v1.32.0. PATH is that document; default
$KUBEDRIFT_OPENAPI_V2, else ${defaultInput}. Get it with

  curl -fsSLo openapi-v2-v1.32.0.json ${sourceUrl}
`;

/** A failure the user can fix: printed as one line, no stack trace. */
class InputError extends Error {}

function inputPath(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const given = argv[0] ?? (env["KUBEDRIFT_OPENAPI_V2"] || undefined);
  const input = given === undefined ? defaultInput : resolve(given);
  if (!existsSync(input)) {
    throw new InputError(
      `${input} not found: it is the Kubernetes OpenAPI v2 document of v1.32.0; download ${sourceUrl} and pass its path (npm run derive-schema -- PATH, or KUBEDRIFT_OPENAPI_V2=PATH)`,
    );
  }
  return input;
}

function readDocument(input: string): { raw: string; definitions: JsonMap; paths: JsonMap } {
  const raw = readFileSync(input, "utf8");
  let document: Json;
  try {
    document = JSON.parse(raw) as Json;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${input}: not JSON (${reason.replace(/\s+/g, " ")})`);
  }
  const definitions = isMap(document) ? document["definitions"] : undefined;
  const paths = isMap(document) ? document["paths"] : undefined;
  if (!isMap(definitions) || !isMap(paths))
    throw new InputError(
      `${input}: not an OpenAPI v2 document (no "definitions" and "paths"); get ${sourceUrl}`,
    );
  return { raw, definitions, paths };
}

function derive(input: string): void {
  const { raw, definitions, paths } = readDocument(input);
  const slim: JsonMap = {};
  const descriptions: { [name: string]: DescriptionNode } = {};
  for (const name of sortedKeys(definitions)) {
    const definition = definitions[name];
    if (!isMap(definition)) continue;
    slim[name] = withV3Defaults(name, slimSchema(definition));
    const described = describeSchema(definition);
    if (described !== undefined) descriptions[name] = described;
  }
  const text = render(slim, deriveResources(paths));
  const gzipped = gzipDescriptions(descriptions);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, text);
  writeFileSync(descriptionsOutput, gzipped);
  console.log(`read    ${input}: ${raw.length} bytes, ${Object.keys(definitions).length} definitions`);
  console.log(`wrote   ${output}: ${text.length} bytes`);
  console.log(`wrote   ${descriptionsOutput}: ${gzipped.length} bytes`);
}

function main(argv: readonly string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage);
    return 0;
  }
  try {
    derive(inputPath(argv, process.env));
    return 0;
  } catch (error: unknown) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`derive-schema: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
