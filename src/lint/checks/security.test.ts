import { describe, expect, it } from "vitest";
import {
  deployment,
  desiredFromYaml,
  desiredOf,
  goodContainer,
  goodPodSpec,
  goodSurroundings,
  resultRows,
  run,
  findings,
  messages,
} from "./checks.test-helper.js";
import { securityChecks } from "./security.js";

const pod = "Deployment/app /spec/template/spec";
const container = `${pod}/containers/0`;

function withSecurity(securityContext: Record<string, unknown>, podChanges: Record<string, unknown> = {}) {
  return deployment({ ...podChanges, containers: [{ ...goodContainer(), securityContext } as never] });
}

const hardened = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};

describe("security checks", () => {
  it("accept a well-configured Deployment and its surroundings", () => {
    expect(resultRows(desiredOf([deployment(), ...goodSurroundings()]), securityChecks)).toEqual([]);
  });

  it("run-as-non-root: neither runAsNonRoot nor runAsUser, on pod or container", () => {
    const { securityContext: _dropped, ...spec } = goodPodSpec();
    expect(run("run-as-non-root", [deployment({ ...spec, securityContext: {} })])).toEqual([
      `${container}/securityContext`,
    ]);
    expect(run("run-as-non-root", [deployment({ securityContext: { runAsUser: 20000 } })])).toEqual([]);
    expect(run("run-as-non-root", [deployment()])).toEqual([]);
  });

  it("run-as-root-user: the container's runAsUser overrides the pod's", () => {
    expect(run("run-as-root-user", [withSecurity({ ...hardened, runAsUser: 0 })])).toEqual([
      `${container}/securityContext/runAsUser`,
    ]);
    expect(run("run-as-root-user", [deployment({ securityContext: { runAsUser: 0 } })])).toEqual([
      `${pod}/securityContext/runAsUser`,
    ]);
    expect(run("run-as-root-user", [deployment()])).toEqual([]);
  });

  it("run-as-high-uid: IDs below 10000", () => {
    expect(
      run("run-as-high-uid", [
        deployment({ securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 0 } }),
      ]),
    ).toEqual([`${pod}/securityContext/runAsUser`, `${pod}/securityContext/runAsGroup`]);
    expect(run("run-as-high-uid", [deployment()])).toEqual([]);
  });

  it.each([
    [
      "read-only-root-filesystem",
      { ...hardened, readOnlyRootFilesystem: false },
      `${container}/securityContext`,
    ],
    [
      "allow-privilege-escalation",
      { ...hardened, allowPrivilegeEscalation: undefined },
      `${container}/securityContext`,
    ],
    ["privileged-container", { ...hardened, privileged: true }, `${container}/securityContext/privileged`],
    [
      "capabilities-dangerous",
      { ...hardened, capabilities: { add: ["CHOWN", "CAP_SYS_ADMIN"], drop: ["ALL"] } },
      `${container}/securityContext/capabilities/add/1`,
    ],
    [
      "capabilities-drop-all",
      { ...hardened, capabilities: { drop: ["NET_RAW"] } },
      `${container}/securityContext`,
    ],
    ["proc-mount-unmasked", { ...hardened, procMount: "Unmasked" }, `${container}/securityContext/procMount`],
    [
      "seccomp-profile",
      { ...hardened, seccompProfile: { type: "Unconfined" } },
      `${container}/securityContext/seccompProfile`,
    ],
    [
      "windows-host-process",
      { ...hardened, windowsOptions: { hostProcess: true } },
      `${container}/securityContext/windowsOptions`,
    ],
  ])("%s reports the container's securityContext", (id, securityContext, path) => {
    expect(
      run(id, [withSecurity(JSON.parse(JSON.stringify(securityContext)) as Record<string, unknown>)]),
    ).toEqual([path]);
    expect(run(id, [deployment()])).toEqual([]);
  });

  it("seccomp-profile: the pod's profile applies to its containers", () => {
    const { securityContext: _dropped, ...spec } = goodPodSpec();
    expect(
      run("seccomp-profile", [deployment({ ...spec, securityContext: { runAsNonRoot: true } })]),
    ).toEqual([`${container}/securityContext`]);
  });

  it("container-host-port and container-ssh-port", () => {
    const ports = [
      { name: "http", containerPort: 8080, hostPort: 80 },
      { name: "ssh", containerPort: 22 },
    ];
    const object = deployment({ containers: [{ ...goodContainer(), ports }] });
    expect(run("container-host-port", [object])).toEqual([`${container}/ports/0`]);
    expect(run("container-ssh-port", [object])).toEqual([`${container}/ports/1`]);
    expect(run("container-host-port", [deployment()])).toEqual([]);
    expect(run("container-ssh-port", [deployment()])).toEqual([]);
  });

  it.each(["hostNetwork", "hostPID", "hostIPC"])("host-* reports %s", (field) => {
    const id = `host-${field.slice(4).toLowerCase()}`;
    expect(run(id, [deployment({ [field]: true })])).toEqual([`${pod}/${field}`]);
    expect(run(id, [deployment({ [field]: false })])).toEqual([]);
  });

  it("host-path-volume and host-path-sensitive", () => {
    const volumes = [
      { name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } },
      { name: "logs", hostPath: { path: "/var/log/app" } },
      { name: "etc", hostPath: { path: "/etc/kubernetes" } },
      { name: "tmp", emptyDir: {} },
    ];
    const object = deployment({ volumes });
    expect(run("host-path-volume", [object])).toEqual(
      [0, 1, 2].map((index) => `${pod}/volumes/${index}/hostPath/path`),
    );
    expect(run("host-path-sensitive", [object])).toEqual(
      [0, 2].map((index) => `${pod}/volumes/${index}/hostPath/path`),
    );
    expect(run("host-path-volume", [deployment()])).toEqual([]);
  });

  it("unsafe-sysctls: the kubelet's safe set passes", () => {
    const sysctls = [
      { name: "net.ipv4.tcp_syncookies", value: "1" },
      { name: "net.core.somaxconn", value: "1024" },
    ];
    const object = deployment({
      securityContext: { ...(goodPodSpec()["securityContext"] as object), sysctls },
    });
    expect(run("unsafe-sysctls", [object])).toEqual([`${pod}/securityContext/sysctls/1/name`]);
    expect(run("unsafe-sysctls", [deployment()])).toEqual([]);
  });

  it("automount-service-account-token: the pod's field, else its ServiceAccount's", () => {
    const { automountServiceAccountToken: _dropped, ...spec } = goodPodSpec();
    const object = {
      ...deployment(),
      spec: { ...(deployment()["spec"] as object), template: { metadata: { labels: { app: "app" } }, spec } },
    };
    expect(run("automount-service-account-token", [object])).toEqual([`${pod}/automountServiceAccountToken`]);
    const account = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "app", namespace: "ns" },
      automountServiceAccountToken: false,
    };
    expect(run("automount-service-account-token", [object, account])).toEqual([]);
    expect(
      run("automount-service-account-token", [deployment({ automountServiceAccountToken: true }), account]),
    ).toEqual([`${pod}/automountServiceAccountToken`]);
  });

  it("env-secret-literal never prints the value", () => {
    const env = [
      { name: "API_TOKEN", value: "s3cr3t-value" },
      { name: "DB_PASS", value: "hunter2" },
      { name: "PASSTHROUGH", value: "yes" },
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
    ];
    const yaml = JSON.stringify(deployment({ containers: [{ ...goodContainer(), env }] }));
    expect(findings("env-secret-literal", yaml)).toEqual([
      `${container}/env/0/value`,
      `${container}/env/1/value`,
    ]);
    const texts = messages("env-secret-literal", yaml).join("\n");
    expect(texts).toContain("API_TOKEN");
    expect(texts).not.toContain("s3cr3t-value");
    expect(texts).not.toContain("hunter2");
    expect(run("env-secret-literal", [deployment()])).toEqual([]);
  });

  it("configmap-secret-content: credential-like keys and private keys", () => {
    const yaml = `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: ns }
data:
  LOG_LEVEL: info
  client_secret: abc
  server.pem: |
    -----BEGIN RSA PRIVATE KEY-----
    x
    -----END RSA PRIVATE KEY-----
`;
    expect(findings("configmap-secret-content", yaml)).toEqual([
      "ConfigMap/settings /data/client_secret",
      "ConfigMap/settings /data/server.pem",
    ]);
    expect(
      resultRows(
        desiredFromYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {LOG_LEVEL: info}\n"),
        securityChecks,
      ),
    ).toEqual([]);
  });
});
