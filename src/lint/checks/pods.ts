/**
 * Container and pod-spec checks applied to every pod-template-bearing kind: resources, images,
 * probes, environment, service accounts and batch settings (kube-score's container-* and pod-*,
 * Polaris's efficiency and reliability container checks, kube-linter's unset-*-requirements,
 * latest-tag, *-port, duplicate-env-var and service-account checks).
 */
import { jsonEqual } from "../../kube/value/equal.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import type { Check, CheckResult } from "../types.js";
import { containerCheck, finding, kindCheck, podCheck } from "./define.js";
import { listOf, objectOf, ofKindIn, pointerJoin } from "./support.js";
import type { ContainerView } from "./workloads.js";
import { isBatch } from "./workloads.js";

type ResourceList = "requests" | "limits";

function resourceCheck(list: ResourceList, resource: "cpu" | "memory"): Check {
  const noun = list === "requests" ? "request" : "limit";
  return containerCheck(
    {
      id: `container-${resource}-${list}`,
      severity: "warning",
      category: "resources",
      summary:
        list === "requests"
          ? `Each container sets resources.requests.${resource}: the scheduler places pods by requests, so an unset one overcommits the node.`
          : `Each container sets resources.limits.${resource}: without one a container can take the node's whole ${resource}.`,
      hint: `Set resources.${list}.${resource} on the container (from its observed usage).`,
    },
    (view) => {
      const resources = objectOf(view.container["resources"]);
      const present = objectOf(resources[list])[resource] !== undefined;
      return finding(
        !present,
        pointerJoin(view.pointer, "resources"),
        `container "${view.name}" has no ${resource} ${noun}`,
      );
    },
  );
}

const ephemeralStorage = containerCheck(
  {
    id: "container-ephemeral-storage",
    severity: "info",
    category: "resources",
    summary:
      "Each container requests and limits ephemeral-storage: the kubelet evicts pods that fill the node's disk.",
    hint: "Set resources.requests and resources.limits ephemeral-storage on the container.",
  },
  (view) => {
    const resources = objectOf(view.container["resources"]);
    const missing = (["requests", "limits"] as const).filter(
      (list) => objectOf(resources[list])["ephemeral-storage"] === undefined,
    );
    return finding(
      missing.length > 0,
      pointerJoin(view.pointer, "resources"),
      `container "${view.name}" has no ephemeral-storage ${missing.join(" or ")}`,
    );
  },
);

interface ImageReference {
  readonly tag: string | undefined;
  readonly digest: boolean;
}

/** `registry:5000/team/app:1.2@sha256:…`: the tag follows the last ':' after the last '/'. */
export function parseImage(image: string): ImageReference {
  const at = image.indexOf("@");
  const name = at < 0 ? image : image.slice(0, at);
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  const colon = lastPart.indexOf(":");
  return { tag: colon < 0 ? undefined : lastPart.slice(colon + 1), digest: at >= 0 };
}

function imageOf(view: ContainerView): string {
  const image = view.container["image"];
  return typeof image === "string" ? image : "";
}

const imageTag = containerCheck(
  {
    id: "container-image-tag",
    severity: "warning",
    category: "reliability",
    summary:
      "Each image names a tag other than latest (or a digest): a moving tag deploys different code on each pull.",
    hint: "Pin the image to a version tag, or better a digest (image@sha256:…).",
  },
  (view) => {
    const image = imageOf(view);
    const { tag, digest } = parseImage(image);
    if (image === "" || digest || (tag !== undefined && tag !== "latest")) return [];
    const why = tag === undefined ? "has no tag" : "uses the latest tag";
    return [
      {
        path: pointerJoin(view.pointer, "image"),
        message: `image "${image}" of container "${view.name}" ${why}`,
      },
    ];
  },
);

const imageDigest = containerCheck(
  {
    id: "container-image-digest",
    severity: "info",
    category: "reliability",
    summary: "Each image is pinned by digest: a tag can be pushed again, a digest names exactly one image.",
    hint: "Append the image's digest: image:tag@sha256:….",
  },
  (view) => {
    const image = imageOf(view);
    return finding(
      image !== "" && !parseImage(image).digest,
      pointerJoin(view.pointer, "image"),
      `image "${image}" of container "${view.name}" is not pinned by digest`,
    );
  },
);

const pullPolicy = containerCheck(
  {
    id: "container-image-pull-policy",
    severity: "info",
    category: "security",
    summary:
      "Images are pulled Always unless pinned by digest: IfNotPresent runs a cached image without checking the pull secret or the tag's current content.",
    hint: "Set imagePullPolicy: Always, or pin the image by digest.",
  },
  (view) => {
    const image = imageOf(view);
    const { tag, digest } = parseImage(image);
    // kube-apiserver defaults the policy to Always for an untagged or :latest image, else IfNotPresent.
    const defaulted = tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
    const policy =
      typeof view.container["imagePullPolicy"] === "string" ? view.container["imagePullPolicy"] : defaulted;
    return finding(
      image !== "" && !digest && policy !== "Always",
      pointerJoin(view.pointer, "imagePullPolicy"),
      `container "${view.name}" pulls "${image}" with policy ${policy}`,
    );
  },
);

/** Long-running containers only: init containers and Job pods end, probes make no sense for them. */
function probed(view: ContainerView, batch: boolean): boolean {
  return !view.init && !batch;
}

function probeCheck(probe: "livenessProbe" | "readinessProbe"): Check {
  const word = probe === "livenessProbe" ? "liveness" : "readiness";
  return containerCheck(
    {
      id: `container-${word}-probe`,
      severity: "warning",
      category: "reliability",
      summary:
        probe === "livenessProbe"
          ? "Each long-running container has a livenessProbe: without one a hung process is never restarted."
          : "Each long-running container has a readinessProbe: without one Services send traffic to pods that are not ready.",
      hint: `Add a ${probe} (httpGet, tcpSocket, grpc or exec) to the container.`,
    },
    (view, scope) =>
      finding(
        probed(view, isBatch(scope.desired)) && view.container[probe] === undefined,
        view.pointer,
        `container "${view.name}" has no ${probe}`,
      ),
  );
}

const probesIdentical = containerCheck(
  {
    id: "container-probes-identical",
    severity: "warning",
    category: "reliability",
    summary:
      "Liveness and readiness probes differ: an identical pair restarts pods that are only busy, turning load into an outage.",
    hint: "Make the liveness probe cheaper or more tolerant (another endpoint, a higher failureThreshold).",
  },
  (view) => {
    const liveness = view.container["livenessProbe"];
    return finding(
      liveness !== undefined && jsonEqual(liveness, view.container["readinessProbe"]),
      pointerJoin(view.pointer, "readinessProbe"),
      `container "${view.name}" has identical liveness and readiness probes`,
    );
  },
);

function probePort(probe: JsonObject): { readonly port: JsonValue; readonly field: string } | undefined {
  for (const field of ["httpGet", "tcpSocket", "grpc"]) {
    const port = objectOf(probe[field])["port"];
    if (port !== undefined) return { port, field };
  }
  return undefined;
}

function declaresPort(view: ContainerView, port: JsonValue): boolean {
  return listOf(view.container["ports"]).some((item) => {
    const declared = objectOf(item);
    return typeof port === "string" ? declared["name"] === port : declared["containerPort"] === port;
  });
}

const probePorts = containerCheck(
  {
    id: "container-probe-port",
    severity: "warning",
    category: "reliability",
    summary:
      "Probes target a port the container declares: a probe on another port tests something else, or fails.",
    hint: "Point the probe at one of the container's ports (by name or number), or declare that port.",
  },
  (view) =>
    ["livenessProbe", "readinessProbe", "startupProbe"].flatMap((probe): readonly CheckResult[] => {
      const target = probePort(objectOf(view.container[probe]));
      if (target === undefined || declaresPort(view, target.port)) return [];
      return [
        {
          path: pointerJoin(view.pointer, probe, target.field, "port"),
          message: `${probe} of container "${view.name}" targets port ${JSON.stringify(target.port)}, which the container does not declare`,
        },
      ];
    }),
);

const duplicateEnv = containerCheck(
  {
    id: "container-env-duplicate",
    severity: "warning",
    category: "reliability",
    summary: "Environment variable names are unique per container: the last one silently wins.",
    hint: "Remove or rename the repeated env entry.",
  },
  (view) => {
    const seen = new Set<string>();
    return listOf(view.container["env"]).flatMap((item, index): readonly CheckResult[] => {
      const name = objectOf(item)["name"];
      if (typeof name !== "string") return [];
      const repeated = seen.has(name);
      seen.add(name);
      return finding(
        repeated,
        pointerJoin(view.pointer, "env", index, "name"),
        `env "${name}" of container "${view.name}" is repeated`,
      );
    });
  },
);

const serviceAccountExists = podCheck(
  {
    id: "pod-service-account-exists",
    severity: "warning",
    category: "reliability",
    summary:
      "The ServiceAccount a pod runs as is in the set: kube-apiserver rejects pods naming one that does not exist.",
    hint: "Add the ServiceAccount to the manifests, or fix serviceAccountName.",
  },
  ({ desired, template, context }) => {
    const name = template.spec["serviceAccountName"] ?? template.spec["serviceAccount"];
    if (typeof name !== "string" || name === "" || name === "default") return [];
    const exists = ofKindIn(context, { group: "", kind: "ServiceAccount" }, desired.ref.namespace).some(
      (account) => account.ref.name === name,
    );
    const field = template.spec["serviceAccountName"] === undefined ? "serviceAccount" : "serviceAccountName";
    return finding(
      !exists,
      pointerJoin(template.pointer, field),
      `ServiceAccount "${name}" is not in the set (namespace "${desired.ref.namespace}")`,
    );
  },
);

const serviceAccountField = podCheck(
  {
    id: "pod-service-account-field",
    severity: "info",
    category: "api",
    summary:
      "Pods use serviceAccountName, not the deprecated serviceAccount alias (which wins disagreements confusingly).",
    hint: "Rename serviceAccount to serviceAccountName.",
  },
  ({ template }) => {
    const alias = template.spec["serviceAccount"];
    return finding(
      alias !== undefined,
      pointerJoin(template.pointer, "serviceAccount"),
      `serviceAccount "${textOf(alias)}" uses the deprecated field`,
    );
  },
);

const priorityClass = podCheck(
  {
    id: "pod-priority-class",
    severity: "info",
    category: "reliability",
    summary:
      "Pods name a priorityClassName: under pressure the scheduler preempts and the kubelet evicts by priority.",
    hint: "Set priorityClassName to one of the cluster's PriorityClasses.",
  },
  ({ template }) =>
    finding(
      typeof template.spec["priorityClassName"] !== "string",
      template.pointer,
      "pod spec has no priorityClassName",
    ),
);

const jobRestartPolicy = podCheck(
  {
    id: "job-restart-policy",
    severity: "error",
    category: "reliability",
    summary:
      "Job and CronJob pods restart OnFailure or Never: kube-apiserver rejects Always (and the default) for Jobs.",
    hint: "Set restartPolicy: OnFailure (or Never) in the Job's pod template.",
  },
  ({ desired, template }) => {
    const policy = template.spec["restartPolicy"];
    return finding(
      isBatch(desired) && policy !== "OnFailure" && policy !== "Never",
      pointerJoin(template.pointer, "restartPolicy"),
      `restartPolicy ${policy === undefined ? "unset (Always)" : JSON.stringify(policy)} is not allowed for a Job's pods`,
    );
  },
);

const cronJobDeadline = kindCheck(
  {
    id: "cronjob-starting-deadline",
    severity: "info",
    category: "reliability",
    summary:
      "CronJobs set startingDeadlineSeconds: without it a controller that was down can start missed runs late, or stop scheduling after 100 misses.",
    hint: "Set spec.startingDeadlineSeconds (how late a run may still start).",
  },
  ["batch/CronJob"],
  (desired) =>
    finding(
      objectOf(desired.object["spec"])["startingDeadlineSeconds"] === undefined,
      "/spec",
      `CronJob "${desired.ref.name}" has no startingDeadlineSeconds`,
    ),
);

export const podChecks: readonly Check[] = [
  resourceCheck("requests", "cpu"),
  resourceCheck("limits", "cpu"),
  resourceCheck("requests", "memory"),
  resourceCheck("limits", "memory"),
  ephemeralStorage,
  imageTag,
  imageDigest,
  pullPolicy,
  probeCheck("livenessProbe"),
  probeCheck("readinessProbe"),
  probesIdentical,
  probePorts,
  duplicateEnv,
  serviceAccountExists,
  serviceAccountField,
  priorityClass,
  jobRestartPolicy,
  cronJobDeadline,
];
