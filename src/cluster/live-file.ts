import { resolve } from "node:path";
import { readFile } from "node:fs/promises";
import { Composer, isMap, isNode, isSeq, LineCounter, Parser } from "yaml";
import type { Document } from "yaml";
import type { LiveObject } from "../model/index.js";
import { builtinOpenAPIData } from "../kube/schema/builtin.js";
import type { Schema } from "../kube/schema/types.js";
import { withCRDs } from "../kube/schema/crd.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { Cluster, ListSnapshot, ServedResource, WatchEnd } from "./types.js";
import { ClusterError } from "./types.js";
import { flattenStrings, withPlainEnvironment } from "../kube/yaml-speed.js";
import { readPlainDocuments } from "../kube/yaml-values.js";
import { streamList } from "./live-file-stream.js";
import type { KubeObject } from "../kube/value/json.js";
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";
import { splitApiVersion } from "../kube/object.js";

/** A parsed document and where it (and each item of a List) starts. */
interface ParsedDocument {
  readonly value: unknown;
  readonly line: number;
  readonly itemLine: (index: number) => number;
}

function fail(path: string, line: number, message: string): ClusterError {
  return new ClusterError(`${path}:${line}: ${message}`);
}

function lineOfPosition(source: string, position: number): number {
  let line = 1;
  for (
    let index = source.indexOf("\n");
    index >= 0 && index < position;
    index = source.indexOf("\n", index + 1)
  ) {
    line += 1;
  }
  return line;
}

/** `kubectl get -o json` output: JSON.parse is far faster than a YAML parser on 10,000 objects. */
function parseJson(path: string, source: string): readonly ParsedDocument[] {
  try {
    return [{ value: JSON.parse(source) as unknown, line: 1, itemLine: () => 1 }];
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const line = position === undefined ? 1 : lineOfPosition(source, Number(position));
    throw fail(path, line, `not valid JSON: ${message.replace(/ in JSON at position.*$/, "")}`);
  }
}

/** Messages of yaml that quote the input (a Secret's data, here): keep their first words only. */
function yamlProblem(message: string): string {
  const first = (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
  const quoting =
    /^(Invalid escape sequence|Plain value cannot start with|Block scalar header includes extra characters|Unresolved alias|Unexpected \S+ in|Keys with collection values)\b/.exec(
      first,
    );
  return quoting === null ? first : (quoting[1] ?? first);
}

function documentLines(document: Document.Parsed, path: string, lines: LineCounter): ParsedDocument {
  const contents = document.contents;
  const line = lines.linePos(contents?.range[0] ?? document.range[0]).line;
  const items = isMap(contents) ? contents.get("items", true) : undefined;
  const starts = isSeq(items) ? items.items.map((item) => (isNode(item) ? item.range?.[0] : undefined)) : [];
  const itemLine = (index: number): number => {
    const start = starts[index];
    return typeof start === "number" ? lines.linePos(start).line : line;
  };
  let value: unknown;
  try {
    value = flattenStrings(document.toJS({ maxAliasCount: 100 }));
  } catch (error: unknown) {
    throw fail(path, line, `not valid YAML: ${yamlProblem(error instanceof Error ? error.message : "")}`);
  }
  return { value, line, itemLine };
}

/** One document at a time, keeping values and line numbers, not 20,000 syntax trees. */
function parseYaml(path: string, source: string): readonly ParsedDocument[] {
  const lines = new LineCounter();
  const composer = new Composer({ lineCounter: lines, uniqueKeys: false, logLevel: "error" });
  const parser = new Parser(lines.addNewLine);
  return withPlainEnvironment(() => {
    const parsed: ParsedDocument[] = [];
    for (const document of composer.compose(parser.parse(source), true, source.length)) {
      const error = document.errors[0];
      if (error !== undefined)
        throw fail(path, lines.linePos(error.pos[0]).line, `not valid YAML: ${yamlProblem(error.message)}`);
      parsed.push(documentLines(document, path, lines));
    }
    return parsed;
  });
}

function checkedObject(path: string, value: unknown, line: number): KubeObject {
  if (!isRecord(value)) throw fail(path, line, "not a Kubernetes object (expected a mapping)");
  if (stringOf(value["kind"]) === "") throw fail(path, line, "object has no kind");
  if (stringOf(value["apiVersion"]) === "")
    throw fail(path, line, `${stringOf(value["kind"])} has no apiVersion`);
  const metadata = value["metadata"];
  if (!isRecord(metadata) || stringOf(metadata["name"]) === "") {
    throw fail(path, line, `${stringOf(value["kind"])} has no metadata.name`);
  }
  return value as KubeObject;
}

/** `kubectl get` prints a `List` (or `DeploymentList` …); its items may lack apiVersion/kind. */
function objectsOf(path: string, document: ParsedDocument): readonly KubeObject[] {
  const { value } = document;
  if (value === null || value === undefined) return [];
  const kind = isRecord(value) ? stringOf(value["kind"]) : "";
  if (!isRecord(value) || !kind.endsWith("List") || !Array.isArray(value["items"])) {
    return [checkedObject(path, value, document.line)];
  }
  const itemKind = kind === "List" ? "" : kind.slice(0, -"List".length);
  const itemApiVersion = stringOf(value["apiVersion"]);
  return (value["items"] as readonly unknown[]).map((item, index) => {
    const filled =
      isRecord(item) && itemKind !== "" && item["kind"] === undefined
        ? { apiVersion: itemApiVersion, kind: itemKind, ...item }
        : item;
    return checkedObject(path, filled, document.itemLine(index));
  });
}

interface BuiltinFacts {
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Stable versions before beta before alpha, higher first: how kube-apiserver prefers. */
function versionPriority(version: string): number {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (match === null) return 0;
  const stage = match[2] === undefined ? 3 : match[2] === "beta" ? 2 : 1;
  return stage * 1_000_000 + Number(match[1]) * 1000 + Number(match[3] ?? 0);
}

/** Every listable built-in resource, at the preferred version of its group. */
function builtinResources(): readonly ServedResource[] {
  const byGroupResource = new Map<string, ServedResource>();
  for (const [prefix, resources] of Object.entries(builtinOpenAPIData().resources)) {
    const { group, version } = splitApiVersion(prefix.replace(/^apis?\//, ""));
    for (const [resource, facts] of Object.entries(resources)) {
      if (!facts.verbs.includes("list")) continue;
      const key = `${group}/${resource}`;
      const known = byGroupResource.get(key);
      if (known !== undefined && versionPriority(known.version) >= versionPriority(version)) continue;
      byGroupResource.set(key, {
        group,
        version,
        kind: facts.kind,
        resource,
        namespaced: facts.namespaced,
        verbs: facts.verbs,
      });
    }
  }
  return [...byGroupResource.values()];
}

function builtinFacts(resources: readonly ServedResource[]): ReadonlyMap<string, BuiltinFacts> {
  return new Map(resources.map((resource) => [`${resource.group}/${resource.kind}`, resource]));
}

/** Kinds the built-in table does not know (custom resources): plural guessed, scope from the objects. */
function customResources(
  objects: readonly KubeObject[],
  known: ReadonlyMap<string, BuiltinFacts>,
): readonly ServedResource[] {
  const found = new Map<string, ServedResource>();
  for (const object of objects) {
    const { group, version } = splitApiVersion(stringOf(object["apiVersion"]));
    const kind = stringOf(object["kind"]);
    const key = `${group}/${kind}`;
    const namespaced = stringOf((object["metadata"] as UnknownRecord)["namespace"]) !== "";
    const seen = found.get(key);
    if (known.has(key) || (seen !== undefined && (seen.namespaced || !namespaced))) continue;
    const resource = `${kind.toLowerCase()}s`;
    found.set(key, { group, version, kind, resource, namespaced, verbs: ["list"] });
  }
  return [...found.values()];
}

function toLiveObject(object: KubeObject, namespaced: boolean, defaultNamespace: string): LiveObject {
  const { group, version } = splitApiVersion(stringOf(object["apiVersion"]));
  const metadata = object["metadata"] as UnknownRecord;
  const namespace = namespaced ? stringOf(metadata["namespace"]) || defaultNamespace : "";
  return {
    ref: { group, version, kind: stringOf(object["kind"]), namespace, name: stringOf(metadata["name"]) },
    object,
  };
}

/** A snapshot of live objects: what `kubectl get … -o yaml|json` printed. */
class LiveFileCluster implements Cluster {
  readonly name: string;
  readonly namespace: string;
  readonly #served: readonly ServedResource[];
  readonly #byKind: ReadonlyMap<string, readonly LiveObject[]>;
  readonly #schema: Schema;

  constructor(path: string, namespace: string, objects: readonly KubeObject[]) {
    this.name = path;
    this.namespace = namespace;
    const builtins = builtinResources();
    const known = builtinFacts(builtins);
    this.#served = [...builtins, ...customResources(objects, known)];
    const scope = builtinFacts(this.#served);
    const byKind = new Map<string, LiveObject[]>();
    for (const object of objects) {
      const { group } = splitApiVersion(stringOf(object["apiVersion"]));
      const key = `${group}/${stringOf(object["kind"])}`;
      const live = toLiveObject(object, scope.get(key)?.namespaced ?? true, namespace);
      const sameKind = byKind.get(key);
      if (sameKind === undefined) byKind.set(key, [live]);
      else sameKind.push(live);
    }
    this.#byKind = byKind;
    this.#schema = withCRDs(
      builtinSchema,
      objects.filter((object) => stringOf(object["kind"]) === "CustomResourceDefinition"),
    );
  }

  resources(): Promise<readonly ServedResource[]> {
    return Promise.resolve(this.#served);
  }

  list(resource: ServedResource, namespace: string | undefined): Promise<readonly LiveObject[]> {
    const objects = this.#byKind.get(`${resource.group}/${resource.kind}`) ?? [];
    const inScope =
      namespace === undefined || !resource.namespaced
        ? objects
        : objects.filter((object) => object.ref.namespace === namespace);
    return Promise.resolve(inScope);
  }

  async listSnapshot(resource: ServedResource, namespace: string | undefined): Promise<ListSnapshot> {
    // A file has no resourceVersion to watch from.
    return { items: await this.list(resource, namespace), resourceVersion: "" };
  }

  watch(): Promise<WatchEnd> {
    return Promise.resolve({
      kind: "unsupported",
      message: `live file ${this.name} is a snapshot: it cannot be watched`,
    });
  }

  schema(): Promise<Schema> {
    return Promise.resolve(this.#schema);
  }
}

const readProblems: Readonly<Record<string, string>> = {
  ENOENT: "does not exist",
  EISDIR: "is a directory",
  EACCES: "cannot be read: permission denied",
  EPERM: "cannot be read: permission denied",
};

async function readSource(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error: unknown) {
    const code = stringOf((error as { code?: unknown }).code);
    const problem = readProblems[code] ?? `cannot be read (${code === "" ? String(error) : code})`;
    throw new ClusterError(`live file ${shown} ${problem}`, { cause: error });
  }
}

/**
 * `--live-file`: live state from `kubectl get -o yaml|json` output (a List, one object, or
 * multi-document YAML) instead of a cluster. Every built-in resource counts as served, so a
 * desired kind absent from the file is Missing rather than unknown.
 */
export async function openLiveFile(
  path: string,
  options: { readonly namespace: string; readonly cwd?: string },
): Promise<Cluster> {
  // Messages and the report name the file as the user wrote it; reading resolves it against cwd.
  const file = options.cwd === undefined ? path : resolve(options.cwd, path);
  const streamed = await streamedObjects(path, file);
  if (streamed !== undefined) return new LiveFileCluster(path, options.namespace, streamed);
  return new LiveFileCluster(path, options.namespace, liveObjects(path, await readSource(file, path)));
}

/**
 * A List read in pieces (live-file-stream.ts), in the memory of its objects rather than of its text;
 * undefined when the file is something else or something in it is wrong: then it is read whole, and
 * the message names the line.
 */
async function streamedObjects(path: string, file: string): Promise<readonly KubeObject[] | undefined> {
  try {
    const list = await streamList(file);
    if (list === undefined) return undefined;
    const value = list.items.length === 0 ? list.header : { ...(list.header as object), items: list.items };
    const line = list.itemLines[0] ?? 1;
    return objectsOf(path, { value, line, itemLine: (index) => list.itemLines[index] ?? line });
  } catch {
    return undefined;
  }
}

/**
 * The objects of the file: JSON by JSON.parse; YAML read fast (src/kube/yaml-values.ts) and, when
 * it is beyond the fast reader or something in it is wrong, by `yaml` with every position, whose
 * lines name the place in the message.
 */
function liveObjects(path: string, source: string): readonly KubeObject[] {
  if (source.trimStart().startsWith("{"))
    return parseJson(path, source).flatMap((document) => objectsOf(path, document));
  const plain = readPlainDocuments(source, "1.2");
  if (plain !== undefined) {
    const documents = plain.values.map((value, index) => {
      const line = plain.lines[index] ?? 1;
      return { value, line, itemLine: () => line };
    });
    try {
      return documents.flatMap((document) => objectsOf(path, document));
    } catch {
      // Read again below for the line of what is wrong.
    }
  }
  return parseYaml(path, source).flatMap((document) => objectsOf(path, document));
}
