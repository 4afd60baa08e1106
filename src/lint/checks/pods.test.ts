import { describe, expect, it } from "vitest";
import {
  deployment,
  desiredOf,
  goodContainer,
  goodPodSpec,
  goodSurroundings,
  resultRows,
  run,
} from "./checks.test-helper.js";
import { podChecks } from "./pods.js";
import { parseImage } from "./pods.js";

const containerPath = "Deployment/app /spec/template/spec/containers/0";

function withContainer(changes: Record<string, unknown>, remove: readonly string[] = []) {
  const container: Record<string, unknown> = { ...goodContainer(), ...changes };
  for (const key of remove) delete container[key];
  return deployment({ containers: [container as never] });
}

describe("pod checks", () => {
  it("accept a well-configured Deployment and its surroundings", () => {
    expect(resultRows(desiredOf([deployment(), ...goodSurroundings()]), podChecks)).toEqual([]);
  });

  it.each([
    ["container-cpu-requests", { requests: { memory: "1Mi" }, limits: { cpu: "1", memory: "1Mi" } }],
    ["container-cpu-limits", { requests: { cpu: "1", memory: "1Mi" }, limits: { memory: "1Mi" } }],
    ["container-memory-requests", { requests: { cpu: "1" }, limits: { cpu: "1", memory: "1Mi" } }],
    ["container-memory-limits", { requests: { cpu: "1", memory: "1Mi" }, limits: { cpu: "1" } }],
    [
      "container-ephemeral-storage",
      { requests: { cpu: "1", memory: "1Mi" }, limits: { cpu: "1", memory: "1Mi" } },
    ],
  ])("%s reports the container's resources", (id, resources) => {
    expect(run(id, [withContainer({ resources })])).toEqual([`${containerPath}/resources`]);
  });

  it("checks init containers' resources too", () => {
    const init = { name: "init", image: `registry.example.com/init:1@sha256:${"a".repeat(64)}` };
    const object = deployment({ initContainers: [init] });
    expect(run("container-memory-limits", [object])).toEqual([
      "Deployment/app /spec/template/spec/initContainers/0/resources",
    ]);
    expect(run("container-liveness-probe", [object])).toEqual([]);
  });

  it("parses image references", () => {
    expect(parseImage("nginx")).toEqual({ tag: undefined, digest: false });
    expect(parseImage("registry:5000/team/app:1.2")).toEqual({ tag: "1.2", digest: false });
    expect(parseImage("registry:5000/app@sha256:abc")).toEqual({ tag: undefined, digest: true });
  });

  it("container-image-tag: no tag or latest, unless a digest pins it", () => {
    expect(run("container-image-tag", [withContainer({ image: "nginx" })])).toEqual([
      `${containerPath}/image`,
    ]);
    expect(run("container-image-tag", [withContainer({ image: "nginx:latest" })])).toEqual([
      `${containerPath}/image`,
    ]);
    expect(run("container-image-tag", [withContainer({ image: "nginx:1.27" })])).toEqual([]);
    expect(run("container-image-tag", [withContainer({ image: "nginx@sha256:abc" })])).toEqual([]);
  });

  it("container-image-digest: a tag alone is an info finding", () => {
    expect(run("container-image-digest", [withContainer({ image: "nginx:1.27" })])).toEqual([
      `${containerPath}/image`,
    ]);
    expect(run("container-image-digest", [deployment()])).toEqual([]);
  });

  it("container-image-pull-policy: IfNotPresent (explicit or defaulted) on an image without digest", () => {
    expect(run("container-image-pull-policy", [withContainer({ image: "nginx:1.27" })])).toEqual([
      `${containerPath}/imagePullPolicy`,
    ]);
    expect(
      run("container-image-pull-policy", [withContainer({ image: "nginx:1.27", imagePullPolicy: "Always" })]),
    ).toEqual([]);
    // kube-apiserver defaults :latest to Always.
    expect(run("container-image-pull-policy", [withContainer({ image: "nginx:latest" })])).toEqual([]);
  });

  it("container-liveness-probe and container-readiness-probe: long-running containers only", () => {
    expect(run("container-liveness-probe", [withContainer({}, ["livenessProbe"])])).toEqual([containerPath]);
    expect(run("container-readiness-probe", [withContainer({}, ["readinessProbe"])])).toEqual([
      containerPath,
    ]);
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once", namespace: "ns" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "once", image: "x:1" }] } } },
    };
    expect(run("container-liveness-probe", [job])).toEqual([]);
    expect(run("container-readiness-probe", [deployment()])).toEqual([]);
  });

  it("container-probes-identical", () => {
    const probe = { httpGet: { path: "/", port: "http" } };
    expect(
      run("container-probes-identical", [withContainer({ livenessProbe: probe, readinessProbe: probe })]),
    ).toEqual([`${containerPath}/readinessProbe`]);
    expect(run("container-probes-identical", [deployment()])).toEqual([]);
  });

  it("container-probe-port: by name or number, for every probe", () => {
    const object = withContainer({
      livenessProbe: { tcpSocket: { port: 9090 } },
      readinessProbe: { httpGet: { path: "/", port: "metrics" } },
      startupProbe: { httpGet: { path: "/", port: 8080 } },
    });
    expect(run("container-probe-port", [object])).toEqual([
      `${containerPath}/livenessProbe/tcpSocket/port`,
      `${containerPath}/readinessProbe/httpGet/port`,
    ]);
    expect(run("container-probe-port", [deployment()])).toEqual([]);
  });

  it("container-env-duplicate reports the repeated entry", () => {
    const env = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
      { name: "A", value: "3" },
    ];
    expect(run("container-env-duplicate", [withContainer({ env })])).toEqual([`${containerPath}/env/2/name`]);
    expect(run("container-env-duplicate", [withContainer({ env: env.slice(0, 2) })])).toEqual([]);
  });

  it("pod-service-account-exists: default is exempt", () => {
    expect(run("pod-service-account-exists", [deployment()])).toEqual([
      "Deployment/app /spec/template/spec/serviceAccountName",
    ]);
    expect(run("pod-service-account-exists", [deployment(), ...goodSurroundings()])).toEqual([]);
    expect(run("pod-service-account-exists", [deployment({ serviceAccountName: "default" })])).toEqual([]);
  });

  it("pod-service-account-field reports the deprecated alias", () => {
    expect(run("pod-service-account-field", [deployment({ serviceAccount: "app" })])).toEqual([
      "Deployment/app /spec/template/spec/serviceAccount",
    ]);
    expect(run("pod-service-account-field", [deployment()])).toEqual([]);
  });

  it("pod-priority-class", () => {
    const { priorityClassName: _dropped, ...spec } = goodPodSpec();
    expect(
      run("pod-priority-class", [
        {
          ...deployment(),
          spec: {
            ...(deployment().spec as object),
            template: { metadata: { labels: { app: "app" } }, spec },
          },
        },
      ]),
    ).toEqual(["Deployment/app /spec/template/spec"]);
    expect(run("pod-priority-class", [deployment()])).toEqual([]);
  });

  const cronJob = (jobSpec: Record<string, unknown>, podSpec: Record<string, unknown>) => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "nightly", namespace: "ns" },
    spec: {
      schedule: "0 3 * * *",
      ...jobSpec,
      jobTemplate: { spec: { template: { spec: { ...goodPodSpec(), ...podSpec } } } },
    },
  });

  it("job-restart-policy: Always or unset in a Job's pods", () => {
    expect(run("job-restart-policy", [cronJob({}, {})])).toEqual([
      "CronJob/nightly /spec/jobTemplate/spec/template/spec/restartPolicy",
    ]);
    expect(run("job-restart-policy", [cronJob({}, { restartPolicy: "OnFailure" })])).toEqual([]);
    expect(run("job-restart-policy", [deployment()])).toEqual([]);
  });

  it("cronjob-starting-deadline", () => {
    expect(run("cronjob-starting-deadline", [cronJob({}, {})])).toEqual(["CronJob/nightly /spec"]);
    expect(run("cronjob-starting-deadline", [cronJob({ startingDeadlineSeconds: 300 }, {})])).toEqual([]);
  });
});
