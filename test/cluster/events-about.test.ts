/**
 * The dashboard's Events of a resource (issue 16): `eventsAbout` lists them from a real API server
 * (the sandbox, over HTTP through `@kubernetes/client-node`) by `involvedObject` field selector,
 * newest first, and nothing about another object.
 */
import { describe, expect, it } from "vitest";
import { connectCluster } from "../../src/cluster/index.js";
import { eventsAbout } from "../../src/controller/events.js";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

function event(name: string, about: string, reason: string, last: string): string {
  return `apiVersion: v1
kind: Event
metadata: {name: ${name}, namespace: shop}
involvedObject: {apiVersion: apps/v1, kind: Deployment, name: ${about}, namespace: shop}
type: Warning
reason: ${reason}
message: "${reason} on ${about}"
count: 2
firstTimestamp: "2026-12-02T08:00:00Z"
lastTimestamp: "${last}"
source: {component: kubedrift}
`;
}

describe("eventsAbout", () => {
  it("lists the Events about one object, newest first, and none about another", async () => {
    const sandbox = fixture.sandbox();
    await kubectlOk(sandbox, ["create", "namespace", "shop"]);
    const file = writeManifest(
      fixture.directory(),
      "events.yaml",
      [
        event("web.1", "web", "DriftDetected", "2026-12-02T08:05:00Z"),
        event("web.2", "web", "DriftResolved", "2026-12-02T08:09:00Z"),
        event("api.1", "api", "DriftDetected", "2026-12-02T08:07:00Z"),
      ].join("---\n"),
    );
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath });
    const events = await eventsAbout(cluster, {
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
    });
    expect(events).toEqual([
      {
        type: "Warning",
        reason: "DriftResolved",
        message: "DriftResolved on web",
        count: 2,
        lastSeen: "2026-12-02T08:09:00Z",
        source: "kubedrift",
      },
      expect.objectContaining({ reason: "DriftDetected", lastSeen: "2026-12-02T08:05:00Z" }),
    ]);
  });
});
