import type { JsonObject, JsonValue, KubeObject } from "../api/json.js";
import { isJsonObject, metadataOf, textOf } from "../api/json.js";
import { valueAt } from "../api/object.js";
import type { ResourceInfo } from "../registry/types.js";
import { selectorString } from "./subresources.js";

/** One column of a meta.k8s.io/v1 Table, as kube-apiserver's printers define them. */
interface Column {
  readonly name: string;
  readonly type: "string" | "integer" | "date";
  readonly format?: string;
  readonly priority?: number;
  readonly cell: (object: KubeObject, now: Date) => JsonValue;
}

const nameColumn: Column = {
  name: "Name",
  type: "string",
  format: "name",
  cell: (object) => metadataOf(object)["name"] ?? "",
};
const ageColumn: Column = {
  name: "Age",
  type: "string",
  cell: (object, now) => age(metadataOf(object)["creationTimestamp"], now),
};

/** `${whole}${unit}` plus the remainder in the next unit when it is not zero: "3m20s", "5h", "2d3h". */
function twoUnits(whole: number, unit: string, remainder: number, remainderUnit: string): string {
  return remainder === 0 ? `${whole}${unit}` : `${whole}${unit}${remainder}${remainderUnit}`;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${Math.floor(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return twoUnits(minutes, "m", Math.floor(seconds % 60), "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return twoUnits(hours, "h", minutes % 60, "m");
  return humanDays(hours);
}

function humanDays(hours: number): string {
  const days = Math.floor(hours / 24);
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return twoUnits(days, "d", hours % 24, "h");
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  return years >= 8 ? `${years}y` : twoUnits(years, "y", days % 365, "d");
}

function age(timestamp: JsonValue | undefined, now: Date): string {
  if (typeof timestamp !== "string") return "<unknown>";
  return humanDuration((now.getTime() - Date.parse(timestamp)) / 1000);
}

function numberAt(object: KubeObject, path: readonly string[]): number {
  const value = valueAt(object, path);
  return typeof value === "number" ? value : 0;
}

function countOf(value: JsonValue | undefined): number {
  if (isJsonObject(value)) return Object.keys(value).length;
  return Array.isArray(value) ? value.length : 0;
}

function containers(object: KubeObject): readonly JsonObject[] {
  const list = valueAt(object, ["spec", "template", "spec", "containers"]);
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

function servicePorts(object: KubeObject): string {
  const ports = valueAt(object, ["spec", "ports"]);
  if (!Array.isArray(ports) || ports.length === 0) return "<none>";
  return ports
    .filter(isJsonObject)
    .map(
      (port) =>
        `${textOf(port["port"])}${port["nodePort"] === undefined ? "" : `:${textOf(port["nodePort"])}`}/${textOf(port["protocol"] ?? "TCP")}`,
    )
    .join(",");
}

function readyReplicas(object: KubeObject): string {
  return `${numberAt(object, ["status", "readyReplicas"])}/${numberAt(object, ["spec", "replicas"])}`;
}

const workloadWide: readonly Column[] = [
  {
    name: "Containers",
    type: "string",
    priority: 1,
    cell: (object) =>
      containers(object)
        .map((c) => textOf(c["name"]))
        .join(","),
  },
  {
    name: "Images",
    type: "string",
    priority: 1,
    cell: (object) =>
      containers(object)
        .map((c) => textOf(c["image"]))
        .join(","),
  },
  {
    name: "Selector",
    type: "string",
    priority: 1,
    cell: (object) => selectorString(valueAt(object, ["spec", "selector"])) || "<none>",
  },
];

const columnsByKind: Readonly<Record<string, readonly Column[]>> = {
  Deployment: [
    nameColumn,
    { name: "Ready", type: "string", cell: readyReplicas },
    {
      name: "Up-to-date",
      type: "integer",
      cell: (object) => numberAt(object, ["status", "updatedReplicas"]),
    },
    {
      name: "Available",
      type: "integer",
      cell: (object) => numberAt(object, ["status", "availableReplicas"]),
    },
    ageColumn,
    ...workloadWide,
  ],
  StatefulSet: [
    nameColumn,
    { name: "Ready", type: "string", cell: readyReplicas },
    ageColumn,
    ...workloadWide,
  ],
  ReplicaSet: [
    nameColumn,
    { name: "Desired", type: "integer", cell: (object) => numberAt(object, ["spec", "replicas"]) },
    { name: "Current", type: "integer", cell: (object) => numberAt(object, ["status", "replicas"]) },
    { name: "Ready", type: "integer", cell: (object) => numberAt(object, ["status", "readyReplicas"]) },
    ageColumn,
  ],
  Service: [
    nameColumn,
    { name: "Type", type: "string", cell: (object) => valueAt(object, ["spec", "type"]) ?? "ClusterIP" },
    {
      name: "Cluster-IP",
      type: "string",
      cell: (object) => valueAt(object, ["spec", "clusterIP"]) ?? "<none>",
    },
    { name: "External-IP", type: "string", cell: () => "<none>" },
    { name: "Port(s)", type: "string", cell: servicePorts },
    ageColumn,
  ],
  ConfigMap: [
    nameColumn,
    {
      name: "Data",
      type: "integer",
      cell: (object) => countOf(object["data"]) + countOf(object["binaryData"]),
    },
    ageColumn,
  ],
  Secret: [
    nameColumn,
    { name: "Type", type: "string", cell: (object) => object["type"] ?? "Opaque" },
    { name: "Data", type: "integer", cell: (object) => countOf(object["data"]) },
    ageColumn,
  ],
  Namespace: [
    nameColumn,
    { name: "Status", type: "string", cell: (object) => valueAt(object, ["status", "phase"]) ?? "Active" },
    ageColumn,
  ],
  Pod: [
    nameColumn,
    {
      name: "Ready",
      type: "string",
      cell: (object) => `0/${countOf(valueAt(object, ["spec", "containers"]))}`,
    },
    { name: "Status", type: "string", cell: (object) => valueAt(object, ["status", "phase"]) ?? "Pending" },
    { name: "Restarts", type: "string", cell: () => "0" },
    ageColumn,
  ],
};

export function columnsFor(info: ResourceInfo): readonly Column[] {
  return columnsByKind[info.kind] ?? [nameColumn, ageColumn];
}

export type IncludeObject = "None" | "Metadata" | "Object";

function rowObject(object: KubeObject, info: ResourceInfo, include: IncludeObject): JsonValue | undefined {
  if (include === "None") return undefined;
  if (include === "Object") {
    return {
      apiVersion: info.group === "" ? info.version : `${info.group}/${info.version}`,
      kind: info.kind,
      ...object,
    };
  }
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: metadataOf(object) };
}

export function tableRow(
  object: KubeObject,
  info: ResourceInfo,
  options: { readonly now: Date; readonly include: IncludeObject },
): JsonObject {
  const cells = columnsFor(info).map((column) => column.cell(object, options.now));
  const included = rowObject(object, info, options.include);
  return included === undefined ? { cells } : { cells, object: included };
}

export function toTable(
  objects: readonly KubeObject[],
  info: ResourceInfo,
  options: { readonly now: Date; readonly include: IncludeObject; readonly listMetadata: JsonObject },
): JsonObject {
  const columnDefinitions = columnsFor(info).map((column) => ({
    name: column.name,
    type: column.type,
    format: column.format ?? "",
    description: "",
    priority: column.priority ?? 0,
  }));
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: options.listMetadata,
    columnDefinitions,
    rows: objects.map((object) => tableRow(object, info, options)),
  };
}

/** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io, application/json` asks for a Table first. */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept
    .split(",")
    .some(
      (part) =>
        /;\s*as=Table/.test(part) && /;\s*g=meta\.k8s\.io/.test(part) && /;\s*v=v1(\b|;|$)/.test(part),
    );
}

export function includeObjectParam(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}
