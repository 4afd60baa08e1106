import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { valueAt } from "../api/object.js";
import type { ResourceInfo } from "../registry/types.js";
import { evaluateJsonPath } from "./jsonpath.js";
import { selectorString } from "./subresources.js";
import { metadataOf } from "../../kube/object.js";

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

function mapText(value: JsonValue | undefined): string {
  if (!isJsonObject(value) || Object.keys(value).length === 0) return "<none>";
  return Object.keys(value)
    .sort()
    .map((key) => `${key}=${textOf(value[key])}`)
    .join(",");
}

function jobStatus(object: KubeObject): string {
  const conditions = valueAt(object, ["status", "conditions"]);
  const current = Array.isArray(conditions)
    ? conditions.filter(isJsonObject).find((condition) => condition["status"] === "True")
    : undefined;
  if (current !== undefined) return textOf(current["type"]);
  return valueAt(object, ["spec", "suspend"]) === true ? "Suspended" : "Running";
}

function ingressHosts(object: KubeObject): string {
  const rules = valueAt(object, ["spec", "rules"]);
  const hosts = Array.isArray(rules)
    ? rules.filter(isJsonObject).map((rule) => textOf(rule["host"]) || "*")
    : [];
  return hosts.length === 0 ? "*" : hosts.join(",");
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
  DaemonSet: [
    nameColumn,
    {
      name: "Desired",
      type: "integer",
      cell: (object) => numberAt(object, ["status", "desiredNumberScheduled"]),
    },
    {
      name: "Current",
      type: "integer",
      cell: (object) => numberAt(object, ["status", "currentNumberScheduled"]),
    },
    { name: "Ready", type: "integer", cell: (object) => numberAt(object, ["status", "numberReady"]) },
    {
      name: "Up-to-date",
      type: "integer",
      cell: (object) => numberAt(object, ["status", "updatedNumberScheduled"]),
    },
    { name: "Available", type: "integer", cell: (object) => numberAt(object, ["status", "numberAvailable"]) },
    {
      name: "Node Selector",
      type: "string",
      cell: (object) => mapText(valueAt(object, ["spec", "template", "spec", "nodeSelector"])),
    },
    ageColumn,
    ...workloadWide,
  ],
  Job: [
    nameColumn,
    { name: "Status", type: "string", cell: jobStatus },
    {
      name: "Completions",
      type: "string",
      cell: (object) =>
        `${numberAt(object, ["status", "succeeded"])}/${textOf(valueAt(object, ["spec", "completions"]) ?? 1)}`,
    },
    { name: "Duration", type: "string", cell: () => "" },
    ageColumn,
  ],
  CronJob: [
    nameColumn,
    { name: "Schedule", type: "string", cell: (object) => valueAt(object, ["spec", "schedule"]) ?? "" },
    { name: "Timezone", type: "string", cell: (object) => valueAt(object, ["spec", "timeZone"]) ?? "<none>" },
    {
      name: "Suspend",
      type: "string",
      cell: (object) => (valueAt(object, ["spec", "suspend"]) === true ? "True" : "False"),
    },
    { name: "Active", type: "integer", cell: (object) => countOf(valueAt(object, ["status", "active"])) },
    {
      name: "Last Schedule",
      type: "string",
      cell: (object, now) =>
        valueAt(object, ["status", "lastScheduleTime"]) === undefined
          ? "<none>"
          : age(valueAt(object, ["status", "lastScheduleTime"]), now),
    },
    ageColumn,
  ],
  Ingress: [
    nameColumn,
    {
      name: "Class",
      type: "string",
      cell: (object) => valueAt(object, ["spec", "ingressClassName"]) ?? "<none>",
    },
    { name: "Hosts", type: "string", cell: ingressHosts },
    { name: "Address", type: "string", cell: () => "" },
    {
      name: "Ports",
      type: "string",
      cell: (object) => (countOf(valueAt(object, ["spec", "tls"])) > 0 ? "80, 443" : "80"),
    },
    ageColumn,
  ],
  ServiceAccount: [
    nameColumn,
    { name: "Secrets", type: "integer", cell: (object) => countOf(object["secrets"]) },
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

const printerTypes = new Set(["string", "integer", "number", "boolean", "date"]);

/** A CRD additionalPrinterColumn: its JSONPath's first match, dates shown as ages, as apiextensions-apiserver does. */
function printerColumn(spec: JsonObject): Column {
  const path = textOf(spec["jsonPath"]);
  const type = printerTypes.has(textOf(spec["type"])) ? textOf(spec["type"]) : "string";
  return {
    name: textOf(spec["name"]),
    type: type === "date" ? "date" : type === "integer" ? "integer" : "string",
    ...(typeof spec["format"] === "string" ? { format: spec["format"] } : {}),
    priority: typeof spec["priority"] === "number" ? spec["priority"] : 0,
    cell: (object, now) => {
      const [value] = evaluateJsonPath(path, object);
      if (value === undefined || value === null) return null;
      return type === "date" ? age(value, now) : value;
    },
  };
}

/** The columns of a kind's Table: kube-apiserver's printers for built-in kinds, a CRD's printer columns for its kinds. */
export function columnsFor(info: ResourceInfo, printerColumns?: readonly JsonObject[]): readonly Column[] {
  if (printerColumns !== undefined && printerColumns.length > 0)
    return [nameColumn, ...printerColumns.map(printerColumn)];
  return columnsByKind[info.kind] ?? [nameColumn, ageColumn];
}

export type IncludeObject = "None" | "Metadata" | "Object";

export interface TableOptions {
  readonly now: Date;
  readonly include: IncludeObject;
  /** A custom kind's additionalPrinterColumns. */
  readonly printerColumns?: readonly JsonObject[] | undefined;
}

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

export function tableRow(object: KubeObject, info: ResourceInfo, options: TableOptions): JsonObject {
  const cells = columnsFor(info, options.printerColumns).map((column) => column.cell(object, options.now));
  const included = rowObject(object, info, options.include);
  return included === undefined ? { cells } : { cells, object: included };
}

export function toTable(
  objects: readonly KubeObject[],
  info: ResourceInfo,
  options: TableOptions & { readonly listMetadata: JsonObject },
): JsonObject {
  const columnDefinitions = columnsFor(info, options.printerColumns).map((column) => ({
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
