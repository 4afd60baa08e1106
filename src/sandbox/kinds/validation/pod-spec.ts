import type { StatusCause } from "../../api/status.js";
import type { JsonObject, JsonValue } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";
import { objectField, objectItems } from "../../../kube/defaulting/edit.js";
import { child, duplicate, index, invalid, notSupported, required } from "./field.js";
import { validateAnnotations, validateLabels } from "./metadata.js";
import { isDNS1123Label } from "./names.js";

/** The subset of ValidatePodSpec (pkg/apis/core/validation) that users run into. */

const restartPolicies = ["Always", "OnFailure", "Never"] as const;
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"] as const;
const pullPolicies = ["Always", "IfNotPresent", "Never"] as const;
const protocols = ["SCTP", "TCP", "UDP"] as const;

function isBlank(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === "";
}

function validateDnsLabelName(value: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (isBlank(value)) return [required(path)];
  if (typeof value !== "string") return [invalid(path, value ?? null, "must be a string")];
  return isDNS1123Label(value).map((message) => invalid(path, value, message));
}

function validateEnum(
  value: JsonValue | undefined,
  path: string,
  allowed: readonly string[],
): readonly StatusCause[] {
  if (isBlank(value)) return [required(path)];
  return typeof value === "string" && allowed.includes(value)
    ? []
    : [notSupported(path, value ?? null, allowed)];
}

/** Port numbers: zero is "missing" because Go cannot tell it from absent. */
export function validatePortNumber(value: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (value === undefined || value === null || value === 0) return [required(path)];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return [invalid(path, value, "must be between 1 and 65535, inclusive")];
  }
  return [];
}

function validateContainerPorts(container: JsonObject, path: string): readonly StatusCause[] {
  return objectItems(container, "ports").flatMap((port, position) => {
    const portPath = index(child(path, "ports"), position);
    const protocol = port["protocol"];
    const protocolErrors = isBlank(protocol)
      ? []
      : validateEnum(protocol, child(portPath, "protocol"), protocols);
    return [
      ...validatePortNumber(port["containerPort"], child(portPath, "containerPort")),
      ...protocolErrors,
    ];
  });
}

function validateEnv(container: JsonObject, path: string): readonly StatusCause[] {
  return objectItems(container, "env").flatMap((envVar, position) =>
    isBlank(envVar["name"]) ? [required(child(index(child(path, "env"), position), "name"))] : [],
  );
}

function validateVolumeMounts(
  container: JsonObject,
  path: string,
  volumes: ReadonlySet<string>,
): readonly StatusCause[] {
  return objectItems(container, "volumeMounts").flatMap((mount, position) => {
    const mountPath = index(child(path, "volumeMounts"), position);
    const name = mount["name"];
    const nameErrors = isBlank(name)
      ? [required(child(mountPath, "name"))]
      : typeof name === "string" && !volumes.has(name)
        ? [
            {
              reason: "FieldValueNotFound",
              message: `Not found: ${JSON.stringify(name)}`,
              field: child(mountPath, "name"),
            },
          ]
        : [];
    const pathErrors = isBlank(mount["mountPath"]) ? [required(child(mountPath, "mountPath"))] : [];
    return [...nameErrors, ...pathErrors];
  });
}

function validateContainer(
  container: JsonObject,
  path: string,
  volumes: ReadonlySet<string>,
): readonly StatusCause[] {
  const pullPolicy = container["imagePullPolicy"];
  return [
    ...validateDnsLabelName(container["name"], child(path, "name")),
    ...(isBlank(container["image"]) ? [required(child(path, "image"))] : []),
    ...validateContainerPorts(container, path),
    ...validateEnv(container, path),
    ...validateVolumeMounts(container, path, volumes),
    ...(isBlank(pullPolicy) ? [] : validateEnum(pullPolicy, child(path, "imagePullPolicy"), pullPolicies)),
  ];
}

function validateContainerList(
  spec: JsonObject,
  listName: string,
  path: string,
  context: { readonly volumes: ReadonlySet<string>; readonly seen: Set<string> },
): readonly StatusCause[] {
  return objectItems(spec, listName).flatMap((container, position) => {
    const containerPath = index(child(path, listName), position);
    const name = container["name"];
    const duplicates =
      typeof name === "string" && name !== "" && context.seen.has(name)
        ? [duplicate(child(containerPath, "name"), name)]
        : [];
    if (typeof name === "string") context.seen.add(name);
    return [...validateContainer(container, containerPath, context.volumes), ...duplicates];
  });
}

function validateVolumes(
  spec: JsonObject,
  path: string,
): { readonly names: ReadonlySet<string>; readonly errors: readonly StatusCause[] } {
  const names = new Set<string>();
  const errors = objectItems(spec, "volumes").flatMap((volume, position) => {
    const namePath = child(index(child(path, "volumes"), position), "name");
    const name = volume["name"];
    const nameErrors = validateDnsLabelName(name, namePath);
    const duplicates = typeof name === "string" && names.has(name) ? [duplicate(namePath, name)] : [];
    if (typeof name === "string") names.add(name);
    return [...nameErrors, ...duplicates];
  });
  return { names, errors };
}

export function validatePodSpec(spec: JsonObject | undefined, path: string): readonly StatusCause[] {
  if (spec === undefined) return [required(child(path, "containers"))];
  const volumes = validateVolumes(spec, path);
  const containers = objectItems(spec, "containers");
  const context = { volumes: volumes.names, seen: new Set<string>() };
  return [
    ...volumes.errors,
    ...(containers.length === 0 ? [required(child(path, "containers"))] : []),
    ...validateContainerList(spec, "containers", path, context),
    ...validateContainerList(spec, "initContainers", path, context),
    ...validateEnum(spec["restartPolicy"], child(path, "restartPolicy"), restartPolicies),
    ...validateEnum(spec["dnsPolicy"], child(path, "dnsPolicy"), dnsPolicies),
  ];
}

/**
 * ValidatePodTemplateSpec: the template's labels and annotations, then its PodSpec — except for a
 * StatefulSet (`podSpec: false`): ValidatePodTemplateSpecForStatefulSet leaves the PodSpec
 * unchecked (its volume mounts may name volumeClaimTemplates, which are not the template's
 * volumes; the pods are validated when the controller creates them).
 */
export function validatePodTemplate(
  template: JsonValue | undefined,
  path: string,
  options: { readonly podSpec: boolean } = { podSpec: true },
): readonly StatusCause[] {
  if (!isJsonObject(template)) return [required(path)];
  const metadata = objectField(template, "metadata") ?? {};
  const metadataPath = child(path, "metadata");
  return [
    ...validateLabels(metadata["labels"], child(metadataPath, "labels")),
    ...validateAnnotations(metadata["annotations"], child(metadataPath, "annotations")),
    ...(options.podSpec ? validatePodSpec(objectField(template, "spec"), child(path, "spec")) : []),
  ];
}
