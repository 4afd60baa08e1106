/**
 * Pod security: the Pod Security Standards' baseline and restricted controls as kube-score
 * (container-security-context-*), Polaris (security checks) and kube-linter (privileged-container,
 * run-as-non-root, host-*, sensitive-host-mounts, unsafe-sysctls, env-var-secret …) check them.
 */
import type { JsonValue } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import type { Check, CheckResult } from "../types.js";
import { containerCheck, finding, kindCheck, podCheck } from "./define.js";
import { integerOf, listOf, objectOf, ofKindIn, pointerJoin } from "./support.js";
import type { ContainerView } from "./workloads.js";
import { effectiveSecurityField } from "./workloads.js";

function securityContextOf(view: ContainerView): Readonly<Record<string, JsonValue>> {
  return objectOf(view.container["securityContext"]);
}

const runAsNonRoot = containerCheck(
  {
    id: "run-as-non-root",
    severity: "warning",
    category: "security",
    summary:
      "Containers set runAsNonRoot: true or a non-zero runAsUser: an image's default user is often root.",
    hint: "Set securityContext.runAsNonRoot: true and a runAsUser (pod or container).",
  },
  (view, { template }) => {
    const nonRoot = effectiveSecurityField(template, view, "runAsNonRoot");
    const user = effectiveSecurityField(template, view, "runAsUser");
    return finding(
      nonRoot.value !== true && user.value === undefined,
      nonRoot.pointer,
      `container "${view.name}" may run as root (runAsNonRoot is ${nonRoot.value === undefined ? "unset" : JSON.stringify(nonRoot.value)})`,
    );
  },
);

const runAsRootUser = containerCheck(
  {
    id: "run-as-root-user",
    severity: "error",
    category: "security",
    summary:
      "No container sets runAsUser: 0: root in the container is root on the host once anything escapes.",
    hint: "Set runAsUser to a non-zero UID (10000 or above).",
  },
  (view, { template }) => {
    const user = effectiveSecurityField(template, view, "runAsUser");
    return finding(user.value === 0, user.pointer, `container "${view.name}" runs as user 0 (root)`);
  },
);

/** kube-score's threshold: IDs below 10000 may collide with users of the host. */
const highIdThreshold = 10000;

const runAsHighId = containerCheck(
  {
    id: "run-as-high-uid",
    severity: "info",
    category: "security",
    summary: `Containers run with a UID and GID of ${highIdThreshold} or above: low IDs may match privileged users of the host.`,
    hint: `Set securityContext.runAsUser and runAsGroup to ${highIdThreshold} or above.`,
  },
  (view, { template }) =>
    (["runAsUser", "runAsGroup"] as const).flatMap((field): readonly CheckResult[] => {
      const { value, pointer } = effectiveSecurityField(template, view, field);
      const id = integerOf(value);
      // runAsUser 0 is run-as-root-user's finding; a group 0 is only reported here.
      const low = id !== undefined && id < highIdThreshold && !(field === "runAsUser" && id === 0);
      return finding(
        low,
        pointer,
        `container "${view.name}" has ${field} ${String(id)}, below ${highIdThreshold}`,
      );
    }),
);

const readOnlyRoot = containerCheck(
  {
    id: "read-only-root-filesystem",
    severity: "warning",
    category: "security",
    summary:
      "Containers set readOnlyRootFilesystem: true: an attacker cannot drop binaries into a read-only image.",
    hint: "Set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where the program writes.",
  },
  (view) =>
    finding(
      securityContextOf(view)["readOnlyRootFilesystem"] !== true,
      pointerJoin(view.pointer, "securityContext"),
      `container "${view.name}" has a writable root filesystem`,
    ),
);

const privilegeEscalation = containerCheck(
  {
    id: "allow-privilege-escalation",
    severity: "warning",
    category: "security",
    summary:
      "Containers set allowPrivilegeEscalation: false: otherwise setuid binaries can gain more privileges than the process.",
    hint: "Set securityContext.allowPrivilegeEscalation: false.",
  },
  (view) => {
    const value = securityContextOf(view)["allowPrivilegeEscalation"];
    return finding(
      value !== false,
      pointerJoin(view.pointer, "securityContext"),
      `container "${view.name}" allows privilege escalation (allowPrivilegeEscalation ${value === undefined ? "unset" : JSON.stringify(value)})`,
    );
  },
);

const privileged = containerCheck(
  {
    id: "privileged-container",
    severity: "error",
    category: "security",
    summary:
      "No container is privileged: a privileged container has every capability and the host's devices.",
    hint: "Remove securityContext.privileged, and add only the capabilities the program needs.",
  },
  (view) =>
    finding(
      securityContextOf(view)["privileged"] === true,
      pointerJoin(view.pointer, "securityContext", "privileged"),
      `container "${view.name}" is privileged`,
    ),
);

/** Capabilities that amount to root on the node or its network (Polaris's dangerous set, and NET_RAW as kube-linter drops it). */
const dangerousCapabilities = new Set([
  "ALL",
  "SYS_ADMIN",
  "NET_ADMIN",
  "NET_RAW",
  "SYS_PTRACE",
  "SYS_MODULE",
  "BPF",
]);

/** kube-apiserver and the runtimes accept both CAP_SYS_ADMIN and SYS_ADMIN. */
function capabilityName(value: JsonValue): string {
  return typeof value === "string" ? value.toUpperCase().replace(/^CAP_/, "") : "";
}

const addedCapabilities = containerCheck(
  {
    id: "capabilities-dangerous",
    severity: "error",
    category: "security",
    summary:
      "No container adds ALL, SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, SYS_MODULE or BPF: each is close to root on the node.",
    hint: "Remove the capability from securityContext.capabilities.add.",
  },
  (view) => {
    const capabilities = objectOf(securityContextOf(view)["capabilities"]);
    return listOf(capabilities["add"]).flatMap((value, index) =>
      finding(
        dangerousCapabilities.has(capabilityName(value)),
        pointerJoin(view.pointer, "securityContext", "capabilities", "add", index),
        `container "${view.name}" adds capability ${textOf(value)}`,
      ),
    );
  },
);

const dropAll = containerCheck(
  {
    id: "capabilities-drop-all",
    severity: "warning",
    category: "security",
    summary:
      "Containers drop ALL capabilities: the runtime's default set includes NET_RAW, CHOWN, SETUID and others few programs need.",
    hint: "Set securityContext.capabilities.drop: [ALL] and add back only what is needed.",
  },
  (view) => {
    const capabilities = objectOf(securityContextOf(view)["capabilities"]);
    const dropsAll = listOf(capabilities["drop"]).some((value) => capabilityName(value) === "ALL");
    return finding(
      !dropsAll,
      pointerJoin(view.pointer, "securityContext"),
      `container "${view.name}" does not drop ALL capabilities`,
    );
  },
);

const procMount = containerCheck(
  {
    id: "proc-mount-unmasked",
    severity: "error",
    category: "security",
    summary:
      "No container sets procMount: Unmasked: it exposes the host's /proc paths the runtime normally masks.",
    hint: "Remove securityContext.procMount (Default).",
  },
  (view) => {
    const value = securityContextOf(view)["procMount"];
    return finding(
      value !== undefined && value !== "Default",
      pointerJoin(view.pointer, "securityContext", "procMount"),
      `container "${view.name}" has procMount ${JSON.stringify(value)}`,
    );
  },
);

const seccomp = containerCheck(
  {
    id: "seccomp-profile",
    severity: "warning",
    category: "security",
    summary:
      "Containers run under a RuntimeDefault or Localhost seccomp profile: Unconfined (the kubelet's default) allows every syscall.",
    hint: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
  },
  (view, { template }) => {
    const { value, pointer } = effectiveSecurityField(template, view, "seccompProfile");
    const type = objectOf(value)["type"];
    return finding(
      type !== "RuntimeDefault" && type !== "Localhost",
      pointer,
      `container "${view.name}" has seccomp profile ${type === undefined ? "unset (Unconfined)" : JSON.stringify(type)}`,
    );
  },
);

const hostProcess = containerCheck(
  {
    id: "windows-host-process",
    severity: "error",
    category: "security",
    summary:
      "No Windows container is a HostProcess container: it runs on the host with the host's privileges.",
    hint: "Remove securityContext.windowsOptions.hostProcess.",
  },
  (view, { template }) => {
    const { value, pointer } = effectiveSecurityField(template, view, "windowsOptions");
    return finding(
      objectOf(value)["hostProcess"] === true,
      pointer,
      `container "${view.name}" is a Windows HostProcess container`,
    );
  },
);

function containerPortCheck(
  info: Omit<Check, "run">,
  test: (port: Readonly<Record<string, JsonValue>>) => string | undefined,
): Check {
  return containerCheck(info, (view) =>
    listOf(view.container["ports"]).flatMap((item, index) => {
      const problem = test(objectOf(item));
      return problem === undefined
        ? []
        : [
            {
              path: pointerJoin(view.pointer, "ports", index),
              message: `container "${view.name}" ${problem}`,
            },
          ];
    }),
  );
}

const hostPort = containerPortCheck(
  {
    id: "container-host-port",
    severity: "warning",
    category: "security",
    summary:
      "No container binds a hostPort: it exposes the pod on the node's address and limits it to one pod per node.",
    hint: "Remove hostPort and reach the pod through a Service.",
  },
  (port) => {
    const value = integerOf(port["hostPort"]);
    return value === undefined || value === 0 ? undefined : `binds host port ${value}`;
  },
);

const sshPort = containerPortCheck(
  {
    id: "container-ssh-port",
    severity: "warning",
    category: "security",
    summary:
      "No container exposes port 22: an SSH server in a pod bypasses the cluster's audited access (kubectl exec).",
    hint: "Remove the SSH port, or move the service off port 22.",
  },
  (port) => {
    const protocol = port["protocol"] ?? "TCP";
    return port["containerPort"] === 22 && protocol === "TCP" ? "exposes port 22 (SSH)" : undefined;
  },
);

function hostNamespaceCheck(field: "hostNetwork" | "hostPID" | "hostIPC", what: string): Check {
  const id = `host-${field.slice(4).toLowerCase()}`;
  return podCheck(
    {
      id,
      severity: "error",
      category: "security",
      summary: `Pods do not set ${field}: sharing the host's ${what} namespace exposes the node's ${what === "network" ? "interfaces and local services" : what === "PID" ? "processes" : "shared memory"}.`,
      hint: `Remove ${field} from the pod spec.`,
    },
    ({ template }) =>
      finding(
        template.spec[field] === true,
        pointerJoin(template.pointer, field),
        `pod shares the host's ${what} namespace`,
      ),
  );
}

/** Paths whose mount gives a pod control of the node (kube-linter's sensitive-host-mounts and docker-sock lists). */
const sensitiveHostPaths = [
  /^\/$/,
  /^\/(boot|dev|etc|lib|proc|sys|usr|var\/lib\/kubelet)(\/|$)/,
  /\.sock$/,
  /^\/var\/run\/?$/,
  /^\/run\/?$/,
];

function hostPathVolumes(spec: Readonly<Record<string, JsonValue>>, pointer: string) {
  return listOf(spec["volumes"]).flatMap((item, index) => {
    const volume = objectOf(item);
    const path = objectOf(volume["hostPath"])["path"];
    return typeof path === "string"
      ? [
          {
            name: textOf(volume["name"]),
            path,
            pointer: pointerJoin(pointer, "volumes", index, "hostPath", "path"),
          },
        ]
      : [];
  });
}

const hostPath = podCheck(
  {
    id: "host-path-volume",
    severity: "warning",
    category: "security",
    summary:
      "Pods mount no hostPath volume: it ties the pod to a node and lets it read or write the node's files.",
    hint: "Use an emptyDir, a ConfigMap, or a PersistentVolumeClaim instead.",
  },
  ({ template }) =>
    hostPathVolumes(template.spec, template.pointer).map((volume) => ({
      path: volume.pointer,
      message: `volume "${volume.name}" mounts host path ${volume.path}`,
    })),
);

const sensitiveHostPath = podCheck(
  {
    id: "host-path-sensitive",
    severity: "error",
    category: "security",
    summary: "Pods mount none of the host's system directories or runtime sockets: each hands over the node.",
    hint: "Remove the hostPath volume of /, /etc, /proc, /var/run/docker.sock and the like.",
  },
  ({ template }) =>
    hostPathVolumes(template.spec, template.pointer)
      .filter((volume) => sensitiveHostPaths.some((pattern) => pattern.test(volume.path)))
      .map((volume) => ({
        path: volume.pointer,
        message: `volume "${volume.name}" mounts sensitive host path ${volume.path}`,
      })),
);

/** The sysctls the kubelet allows without --allowed-unsafe-sysctls (Kubernetes 1.29+). */
const safeSysctls = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

const unsafeSysctls = podCheck(
  {
    id: "unsafe-sysctls",
    severity: "warning",
    category: "security",
    summary:
      "Pods set only the kubelet's safe sysctls: the others affect the whole node or are rejected by the kubelet.",
    hint: "Remove the sysctl, or run the workload on nodes that allow it explicitly.",
  },
  ({ template }) =>
    listOf(objectOf(template.spec["securityContext"])["sysctls"]).flatMap((item, index) => {
      const name = objectOf(item)["name"];
      return finding(
        typeof name === "string" && !safeSysctls.has(name),
        pointerJoin(template.pointer, "securityContext", "sysctls", index, "name"),
        `sysctl ${textOf(name)} is not in the safe set`,
      );
    }),
);

const automountToken = podCheck(
  {
    id: "automount-service-account-token",
    severity: "warning",
    category: "security",
    summary:
      "Pods opt out of mounting the ServiceAccount token: most programs never call the API, and a stolen token can.",
    hint: "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the API.",
  },
  ({ desired, template, context }) => {
    const own = template.spec["automountServiceAccountToken"];
    const name = template.spec["serviceAccountName"] ?? template.spec["serviceAccount"] ?? "default";
    // The pod's field wins; without it the kubelet follows the ServiceAccount's.
    const account = ofKindIn(context, { group: "", kind: "ServiceAccount" }, desired.ref.namespace).find(
      (candidate) => candidate.ref.name === name,
    );
    const effective = own ?? account?.object["automountServiceAccountToken"];
    return finding(
      effective !== false,
      pointerJoin(template.pointer, "automountServiceAccountToken"),
      `pod mounts the token of ServiceAccount "${textOf(name)}"`,
    );
  },
);

/** Names that announce a credential (kube-linter's *secret*, Polaris's key list). */
const secretNames =
  /(^|[-_.])pass([-_.]|$)|passw(or)?d|passphrase|secret|token|api[-_.]?key|private[-_.]?key|credential/i;

const envSecretLiteral = containerCheck(
  {
    id: "env-secret-literal",
    severity: "error",
    category: "security",
    summary:
      "No env var named like a credential has a literal value: it is readable by anyone who can read the object.",
    hint: "Move the value into a Secret and use valueFrom.secretKeyRef (or mount it as a file).",
  },
  (view) =>
    listOf(view.container["env"]).flatMap((item, index) => {
      const { name, value } = objectOf(item);
      // Never print the value: the message names only the variable.
      return finding(
        typeof name === "string" && secretNames.test(name) && typeof value === "string" && value !== "",
        pointerJoin(view.pointer, "env", index, "value"),
        `env "${textOf(name)}" of container "${view.name}" holds a literal value`,
      );
    }),
);

const configMapSecret = kindCheck(
  {
    id: "configmap-secret-content",
    severity: "warning",
    category: "security",
    summary:
      "ConfigMaps hold no credentials: they are not encrypted at rest and are readable by more roles than Secrets.",
    hint: "Move the value into a Secret.",
  },
  ["/ConfigMap"],
  (desired) =>
    Object.entries(objectOf(desired.object["data"])).flatMap(([key, value]) =>
      finding(
        secretNames.test(key) ||
          (typeof value === "string" && value.includes("-----BEGIN") && value.includes("PRIVATE KEY")),
        pointerJoin("/data", key),
        `ConfigMap key "${key}" looks like a credential`,
      ),
    ),
);

export const securityChecks: readonly Check[] = [
  runAsNonRoot,
  runAsRootUser,
  runAsHighId,
  readOnlyRoot,
  privilegeEscalation,
  privileged,
  addedCapabilities,
  dropAll,
  procMount,
  seccomp,
  hostProcess,
  hostPort,
  sshPort,
  hostNamespaceCheck("hostNetwork", "network"),
  hostNamespaceCheck("hostPID", "PID"),
  hostNamespaceCheck("hostIPC", "IPC"),
  hostPath,
  sensitiveHostPath,
  unsafeSysctls,
  automountToken,
  envSecretLiteral,
  configMapSecret,
];
