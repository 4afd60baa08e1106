/**
 * Services, Ingresses and NetworkPolicies against the pods of the set (kube-score's service-*,
 * ingress-targets-service and *-networkpolicy, Polaris's missingNetworkPolicy and tlsSettingsMissing,
 * kube-linter's dangling-service, invalid-target-ports and non-isolated-pod).
 */
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult, LintContext } from "../types.js";
import { finding, kindCheck, podCheck } from "./define.js";
import {
  labelSelectorMatches,
  listOf,
  mapSelectorMatches,
  objectOf,
  ofKindIn,
  pointerJoin,
  stringMapOf,
} from "./support.js";
import type { PodTemplate } from "./workloads.js";
import { containersOf, podTemplatesIn } from "./workloads.js";

function serviceSpec(desired: DesiredObject): JsonObject {
  return objectOf(desired.object["spec"]);
}

/** Services kube-proxy routes to selected pods: not ExternalName, and with a selector (else Endpoints are manual). */
function serviceSelector(desired: DesiredObject): Readonly<Record<string, string>> | undefined {
  const spec = serviceSpec(desired);
  const selector = stringMapOf(spec["selector"]);
  return spec["type"] === "ExternalName" || Object.keys(selector).length === 0 ? undefined : selector;
}

function selectedTemplates(service: DesiredObject, context: LintContext): readonly PodTemplate[] {
  const selector = serviceSelector(service);
  if (selector === undefined) return [];
  return podTemplatesIn(context, service.ref.namespace)
    .map(({ template }) => template)
    .filter((template) => mapSelectorMatches(selector, template.labels));
}

const serviceSelects = kindCheck(
  {
    id: "service-selects-pods",
    severity: "warning",
    category: "networking",
    summary:
      "A Service's selector matches pods in the set: otherwise it has no endpoints and every connection fails.",
    hint: "Make spec.selector match the labels of the workload's pod template.",
  },
  ["/Service"],
  (desired, context) =>
    finding(
      serviceSelector(desired) !== undefined && selectedTemplates(desired, context).length === 0,
      "/spec/selector",
      `Service "${desired.ref.name}" selects no pods in the set`,
    ),
);

function declaresPortName(template: PodTemplate, name: string): boolean {
  return containersOf(template).some(
    ({ container, init }) =>
      !init && listOf(container["ports"]).some((port) => objectOf(port)["name"] === name),
  );
}

const serviceTargetPort = kindCheck(
  {
    id: "service-target-port",
    severity: "warning",
    category: "networking",
    summary:
      "A Service's named targetPort is a port name of the pods it selects: the endpoints controller skips pods without it.",
    hint: "Name the container port as the targetPort says, or use the port number.",
  },
  ["/Service"],
  (desired, context) => {
    const templates = selectedTemplates(desired, context);
    if (templates.length === 0) return [];
    return listOf(serviceSpec(desired)["ports"]).flatMap((item, index) => {
      const target = objectOf(item)["targetPort"];
      return finding(
        typeof target === "string" && !templates.every((template) => declaresPortName(template, target)),
        pointerJoin("/spec/ports", index, "targetPort"),
        `targetPort "${textOf(target)}" is not a container port name of the selected pods`,
      );
    });
  },
);

/** IANA_SVC_NAME (RFC 6335 §5.1), what kube-apiserver requires of port names. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return "is longer than 15 characters";
  if (!/^[a-z0-9-]+$/.test(name)) return "may contain only lowercase letters, digits and '-'";
  if (!/[a-z]/.test(name)) return "must contain a letter";
  if (name.startsWith("-") || name.endsWith("-") || name.includes("--"))
    return "has a leading, trailing or double '-'";
  return undefined;
}

function portNameResult(name: JsonValue | undefined, path: string): readonly CheckResult[] {
  const problem = typeof name === "string" ? portNameProblem(name) : undefined;
  return problem === undefined ? [] : [{ path, message: `port name "${textOf(name)}" ${problem}` }];
}

const containerPortNames = podCheck(
  {
    id: "port-name-valid",
    severity: "error",
    category: "networking",
    summary:
      "Port names (container ports, Service targetPorts) are IANA service names: kube-apiserver rejects others.",
    hint: "Use at most 15 lowercase letters, digits and single hyphens, with at least one letter.",
  },
  ({ template }) =>
    containersOf(template).flatMap((view) =>
      listOf(view.container["ports"]).flatMap((port, index) =>
        portNameResult(objectOf(port)["name"], pointerJoin(view.pointer, "ports", index, "name")),
      ),
    ),
);

const portNameValid: Check = {
  ...containerPortNames,
  run: (desired, context) =>
    desired.ref.group === "" && desired.ref.kind === "Service"
      ? listOf(serviceSpec(desired)["ports"]).flatMap((port, index) =>
          portNameResult(objectOf(port)["targetPort"], pointerJoin("/spec/ports", index, "targetPort")),
        )
      : containerPortNames.run(desired, context),
};

const nodePort = kindCheck(
  {
    id: "service-node-port",
    severity: "info",
    category: "networking",
    summary:
      "Services are not of type NodePort: it opens the port on every node's address, outside any Ingress or load balancer.",
    hint: "Use type ClusterIP behind an Ingress, or LoadBalancer.",
  },
  ["/Service"],
  (desired) =>
    finding(
      serviceSpec(desired)["type"] === "NodePort",
      "/spec/type",
      `Service "${desired.ref.name}" is of type NodePort`,
    ),
);

type Direction = "Ingress" | "Egress";

/** NetworkPolicy policyTypes as kube-apiserver defaults them: Ingress always, Egress when egress rules exist. */
function policyTypes(policy: DesiredObject): readonly Direction[] {
  const spec = objectOf(policy.object["spec"]);
  const declared = listOf(spec["policyTypes"]).filter(
    (type): type is Direction => type === "Ingress" || type === "Egress",
  );
  if (declared.length > 0) return declared;
  return spec["egress"] === undefined ? ["Ingress"] : ["Ingress", "Egress"];
}

/** The directions the namespace's NetworkPolicies isolate the pods in; stops once both are. */
function isolatedDirections(
  template: PodTemplate,
  desired: DesiredObject,
  context: LintContext,
): ReadonlySet<Direction> {
  const covered = new Set<Direction>();
  for (const policy of ofKindIn(
    context,
    { group: "networking.k8s.io", kind: "NetworkPolicy" },
    desired.ref.namespace,
  )) {
    if (!labelSelectorMatches(objectOf(policy.object["spec"])["podSelector"], template.labels)) continue;
    for (const direction of policyTypes(policy)) covered.add(direction);
    if (covered.size === 2) break;
  }
  return covered;
}

const podIsolated = podCheck(
  {
    id: "network-policy-covers-pods",
    severity: "warning",
    category: "networking",
    summary:
      "A NetworkPolicy selects the pods for both ingress and egress: unselected pods accept and send any traffic.",
    hint: "Add a NetworkPolicy in the namespace whose podSelector matches the pods, with policyTypes Ingress and Egress.",
  },
  ({ desired, template, context }) => {
    const covered = isolatedDirections(template, desired, context);
    const missing = (["Ingress", "Egress"] as const).filter((direction) => !covered.has(direction));
    return finding(
      missing.length > 0,
      template.metadataPointer,
      `no NetworkPolicy isolates the pods of ${desired.ref.kind} "${desired.ref.name}" for ${missing.join(" and ")}`,
    );
  },
);

const policySelects = kindCheck(
  {
    id: "network-policy-selects-pods",
    severity: "info",
    category: "networking",
    summary: "A NetworkPolicy's podSelector matches pods in the set: otherwise it isolates nothing.",
    hint: "Make spec.podSelector match the labels of a pod template in the namespace.",
  },
  ["networking.k8s.io/NetworkPolicy"],
  (desired, context) => {
    const selector = objectOf(desired.object["spec"])["podSelector"];
    const selects = podTemplatesIn(context, desired.ref.namespace).some(({ template }) =>
      labelSelectorMatches(selector, template.labels),
    );
    return finding(
      !selects,
      "/spec/podSelector",
      `NetworkPolicy "${desired.ref.name}" selects no pods in the set`,
    );
  },
);

interface Backend {
  readonly pointer: string;
  readonly service: JsonValue | undefined;
  readonly port: JsonValue | undefined;
}

/** networking.k8s.io/v1 `service: {name, port: {number|name}}`, and v1beta1's `serviceName`/`servicePort`. */
function backendOf(value: JsonValue | undefined, pointer: string): Backend | undefined {
  const backend = objectOf(value);
  const service = objectOf(backend["service"]);
  if (backend["service"] !== undefined) {
    const port = objectOf(service["port"]);
    return { pointer, service: service["name"], port: port["number"] ?? port["name"] };
  }
  if (backend["serviceName"] !== undefined)
    return { pointer, service: backend["serviceName"], port: backend["servicePort"] };
  return undefined;
}

function backendsOf(ingress: DesiredObject): readonly Backend[] {
  const spec = objectOf(ingress.object["spec"]);
  const defaultField = spec["defaultBackend"] === undefined ? "backend" : "defaultBackend";
  const backends = [backendOf(spec[defaultField], `/spec/${defaultField}`)];
  listOf(spec["rules"]).forEach((rule, ruleIndex) =>
    listOf(objectOf(objectOf(rule)["http"])["paths"]).forEach((path, pathIndex) =>
      backends.push(
        backendOf(
          objectOf(path)["backend"],
          pointerJoin("/spec/rules", ruleIndex, "http", "paths", pathIndex, "backend"),
        ),
      ),
    ),
  );
  return backends.filter((backend): backend is Backend => backend !== undefined);
}

function backendProblem(backend: Backend, services: readonly DesiredObject[]): string | undefined {
  const service = services.find((candidate) => candidate.ref.name === backend.service);
  if (service === undefined) return `backend Service "${textOf(backend.service)}" is not in the set`;
  const ports = listOf(serviceSpec(service)["ports"]).map(objectOf);
  const field = typeof backend.port === "string" ? "name" : "port";
  if (backend.port === undefined || ports.some((port) => port[field] === backend.port)) return undefined;
  return `Service "${textOf(backend.service)}" has no port ${JSON.stringify(backend.port)}`;
}

const ingressBackends = kindCheck(
  {
    id: "ingress-backend-exists",
    severity: "warning",
    category: "networking",
    summary:
      "Each Ingress backend names a Service of the set and one of its ports: otherwise the controller answers 503.",
    hint: "Fix the backend's service name and port, or add the Service.",
  },
  ["networking.k8s.io/Ingress", "extensions/Ingress"],
  (desired, context) => {
    const services = ofKindIn(context, { group: "", kind: "Service" }, desired.ref.namespace);
    return backendsOf(desired).flatMap((backend) => {
      const problem = backendProblem(backend, services);
      return problem === undefined ? [] : [{ path: backend.pointer, message: problem }];
    });
  },
);

const ingressTls = kindCheck(
  {
    id: "ingress-tls",
    severity: "warning",
    category: "networking",
    summary:
      "Ingresses configure TLS: otherwise traffic, cookies and credentials cross the network in clear text.",
    hint: "Add spec.tls with the hosts and a certificate Secret.",
  },
  ["networking.k8s.io/Ingress", "extensions/Ingress"],
  (desired) =>
    finding(
      listOf(objectOf(desired.object["spec"])["tls"]).length === 0,
      "/spec",
      `Ingress "${desired.ref.name}" has no tls`,
    ),
);

export const networkingChecks: readonly Check[] = [
  serviceSelects,
  serviceTargetPort,
  portNameValid,
  nodePort,
  podIsolated,
  policySelects,
  ingressBackends,
  ingressTls,
];
