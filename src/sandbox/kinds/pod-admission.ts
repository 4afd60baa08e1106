import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import type { StrategyContext } from "./types.js";
import {
  ensureObject,
  isUnset,
  listField,
  objectField,
  objectItems,
  stringOr,
  updateItems,
  withDefaults,
  withField,
} from "../../kube/defaulting/edit.js";
import { metadataOf } from "../../kube/object.js";

/**
 * The mutating admission plugins that every kube-apiserver 1.32 runs on a Pod create, in
 * their order: ServiceAccount, DefaultTolerationSeconds, Priority
 * (k8s.io/kubernetes/plugin/pkg/admission/…). Admission runs after the field manager,
 * so nobody owns what these set.
 */

export const serviceAccountTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
const tokenVolumePrefix = "kube-api-access-";

/** The alphabet of k8s.io/apimachinery/pkg/util/rand.String: no vowels, no look-alikes. */
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/**
 * The 5-character suffix of the token volume's name. kube-apiserver draws it at random;
 * deriving it from the uid keeps a create reproducible (and dry runs equal to the real write).
 */
export function tokenVolumeSuffix(uid: string): string {
  let hash = 0x811c9dc5;
  let suffix = "";
  for (let position = 0; position < 5; position++) {
    for (const character of `${uid}/${position}`) {
      hash = Math.imul(hash ^ character.charCodeAt(0), 0x01000193) >>> 0;
    }
    suffix += suffixAlphabet[hash % suffixAlphabet.length] ?? "b";
  }
  return suffix;
}

/** serviceaccount.TokenVolumeSource: the bound token (1 h + the 7 s warn-after), the CA and the namespace. */
function tokenVolume(name: string): JsonObject {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
      defaultMode: 420,
    },
  };
}

/** The pod's automountServiceAccountToken wins, then the ServiceAccount's, else true. */
function shouldAutomount(spec: JsonObject, account: KubeObject | undefined): boolean {
  const fromPod = spec["automountServiceAccountToken"];
  if (typeof fromPod === "boolean") return fromPod;
  const fromAccount = account?.["automountServiceAccountToken"];
  return typeof fromAccount === "boolean" ? fromAccount : true;
}

function mountsTokenPath(container: JsonObject): boolean {
  return objectItems(container, "volumeMounts").some(
    (mount) => mount["mountPath"] === serviceAccountTokenMountPath,
  );
}

function withTokenMount(container: JsonObject, volumeName: string): JsonObject {
  if (mountsTokenPath(container)) return container;
  const mount = { name: volumeName, readOnly: true, mountPath: serviceAccountTokenMountPath };
  return withField(container, "volumeMounts", [...(listField(container, "volumeMounts") ?? []), mount]);
}

/** A container that already mounts something at the token path keeps it: it opted out. */
function needsTokenMount(spec: JsonObject): boolean {
  return [...objectItems(spec, "initContainers"), ...objectItems(spec, "containers")].some(
    (container) => !mountsTokenPath(container),
  );
}

/** mountServiceAccountToken: reuses an existing kube-api-access-* volume, else adds one. */
function mountServiceAccountToken(spec: JsonObject, uid: string): JsonObject {
  if (!needsTokenMount(spec)) return spec;
  const existing = objectItems(spec, "volumes").find((volume) =>
    stringOr(volume["name"]).startsWith(tokenVolumePrefix),
  );
  const volumeName =
    existing === undefined ? `${tokenVolumePrefix}${tokenVolumeSuffix(uid)}` : stringOr(existing["name"]);
  const mount = (container: JsonObject): JsonObject => withTokenMount(container, volumeName);
  const mounted = updateItems(updateItems(spec, "initContainers", mount), "containers", mount);
  if (existing !== undefined) return mounted;
  return withField(mounted, "volumes", [...(listField(spec, "volumes") ?? []), tokenVolume(volumeName)]);
}

/** A pod without imagePullSecrets inherits its ServiceAccount's. */
function inheritPullSecrets(spec: JsonObject, account: KubeObject | undefined): JsonObject {
  if ((listField(spec, "imagePullSecrets") ?? []).length > 0 || account === undefined) return spec;
  const secrets = objectItems(account, "imagePullSecrets").map((secret): JsonValue => ({
    name: secret["name"] ?? "",
  }));
  return secrets.length === 0 ? spec : withField(spec, "imagePullSecrets", secrets);
}

interface PodIdentity {
  readonly namespace: string;
  readonly uid: string;
}

function admitServiceAccount(spec: JsonObject, pod: PodIdentity, context: StrategyContext): JsonObject {
  const accountName = isUnset(spec["serviceAccountName"]) ? "default" : stringOr(spec["serviceAccountName"]);
  // The v1 conversion writes the deprecated serviceAccount from serviceAccountName.
  const named = { ...spec, serviceAccountName: accountName, serviceAccount: accountName };
  const account = context.serviceAccount?.(pod.namespace, accountName);
  const mounted = shouldAutomount(named, account) ? mountServiceAccountToken(named, pod.uid) : named;
  return inheritPullSecrets(mounted, account);
}

/** DefaultTolerationSeconds: pods ride out 5 minutes of node trouble before eviction. */
const defaultTolerations: readonly JsonObject[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

function admitDefaultTolerations(spec: JsonObject): JsonObject {
  const tolerations = objectItems(spec, "tolerations");
  const missing = defaultTolerations.filter(
    (toleration) =>
      !tolerations.some(
        (existing) =>
          (existing["key"] === toleration["key"] || isUnset(existing["key"])) &&
          (isUnset(existing["effect"]) || existing["effect"] === "NoExecute"),
      ),
  );
  return missing.length === 0
    ? spec
    : withField(spec, "tolerations", [...(listField(spec, "tolerations") ?? []), ...missing]);
}

/** The PriorityClasses every cluster has (scheduling.SystemPriorityClasses); the sandbox stores no others. */
const systemPriorities: Readonly<Record<string, number>> = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000,
};

/** Priority: no class means priority 0 (no global default class exists), both PreemptLowerPriority. */
function admitPriority(spec: JsonObject): JsonObject {
  const className = stringOr(spec["priorityClassName"]);
  const priority = className === "" ? 0 : systemPriorities[className];
  if (priority === undefined) return spec;
  return withDefaults(spec, { priority, preemptionPolicy: "PreemptLowerPriority" });
}

/** Mirror pods (static pods the kubelet reports) are only validated, never mutated. */
function isMirrorPod(pod: KubeObject): boolean {
  const annotations = objectField(metadataOf(pod), "annotations") ?? {};
  return "kubernetes.io/config.mirror" in annotations;
}

/** Runs the admission plugins of a Pod create. */
export function admitPodCreate(pod: KubeObject, context: StrategyContext): KubeObject {
  const metadata = metadataOf(pod);
  const identity = { namespace: stringOr(metadata["namespace"]), uid: stringOr(metadata["uid"]) };
  return ensureObject(pod, "spec", (spec) => {
    const withAccount = isMirrorPod(pod) ? spec : admitServiceAccount(spec, identity, context);
    return admitPriority(admitDefaultTolerations(withAccount));
  });
}
