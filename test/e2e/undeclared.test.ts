/**
 * Rule 4b end to end (DESIGN "Drift semantics"; README `kubedrift diff`): a field deleted from the
 * manifests and still live is reported as Added with reason "undeclared" when the deployer's record
 * of its last apply holds it — the last-applied-configuration annotation of a client-side
 * `kubectl apply`, or the fields that the server-side `kubectl apply --server-side` alone owns.
 * `kubedrift apply` removes such fields (and a following `kubectl apply` of the same files leaves the
 * object as it is), `kubedrift adopt` writes them back into the files. With no record (objects made
 * with `kubectl create`) nothing is reported.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JsonObject, JsonValue } from "../../src/kube/value/json.js";
import { isJsonObject } from "../../src/kube/value/json.js";
import { kubectlJson, kubectlOk, valueAt, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import type { KubedriftResult } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

/** The Deployment as first applied; the lines marked `# deleted` are then deleted from the file. */
const webText = (namespace: string): string => `# The shop's web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
  labels:
    app: web
    team: payments # deleted
  annotations: # deleted
    owner: alice # deleted
spec:
  replicas: 2 # two is enough off-peak
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "nginx:1.27" # pinned
          ports:
            - containerPort: 80
            - containerPort: 9090 # deleted
`;

const configText = (namespace: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  a: "1"
  b: "2" # deleted
`;

/** The text without the lines marked `# deleted`: what the manifests say after the deletions. */
const trimmed = (text: string): string =>
  text
    .split("\n")
    .filter((line) => !line.endsWith("# deleted"))
    .join("\n");

/** The text as first applied: without the `# deleted` markers. */
const original = (text: string): string => text.replaceAll(" # deleted", "");

type Mode = "client-side" | "server-side";
/** How the objects are first made: `kubectl apply` in either mode, or `kubectl create` (no record). */
const deployArgs: Readonly<Record<Mode | "create", readonly string[]>> = {
  "client-side": ["apply"],
  "server-side": ["apply", "--server-side"],
  create: ["create"],
};

interface Started {
  readonly namespace: string;
  readonly directory: string;
  readonly web: string;
  readonly config: string;
}

/**
 * A namespace of its own; the Deployment and the ConfigMap made from files (`how`); then the lines
 * marked `# deleted` deleted from the files (the label, the annotation, the key b, the port 9090).
 */
async function startingPoint(namespace: string, how: Mode | "create"): Promise<Started> {
  const directory = join(fixture.directory(), namespace);
  const deploy = join(directory, "deploy");
  mkdirSync(deploy, { recursive: true });
  const web = writeManifest(deploy, "web.yaml", original(webText(namespace)));
  const config = writeManifest(deploy, "config.yaml", original(configText(namespace)));
  await kubectlOk(fixture.sandbox(), ["create", "namespace", namespace]);
  await kubectlOk(fixture.sandbox(), [...deployArgs[how], "-f", deploy]);
  writeFileSync(web, trimmed(webText(namespace)));
  writeFileSync(config, trimmed(configText(namespace)));
  return { namespace, directory, web, config };
}

/** The built kubedrift on the started directory's manifests, against the sandbox. */
function kubedrift(started: Started, args: readonly string[]): Promise<KubedriftResult> {
  const cluster = ["--kubeconfig", fixture.sandbox().kubeconfigPath];
  return runKubedrift([...args, "-f", "deploy", ...cluster], { cwd: started.directory });
}

interface ReportedDrift {
  readonly path: string;
  readonly type: string;
  readonly reason?: string;
  readonly live?: unknown;
  readonly source?: { readonly file: string };
  readonly manager?: string;
  readonly operation?: string;
}

interface ReportedResource {
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly drifts: readonly ReportedDrift[];
}

/** Each resource's status and each drift, one line each, sorted. */
function reportLines(stdout: string): readonly string[] {
  const report = JSON.parse(stdout) as { readonly resources: readonly ReportedResource[] };
  return report.resources
    .flatMap((resource) => [
      `${resource.kind}/${resource.name} ${resource.status}`,
      ...resource.drifts.map((drift) =>
        [
          `${resource.kind}/${resource.name}`,
          drift.type,
          drift.path,
          drift.reason ?? "-",
          JSON.stringify(drift.live),
          drift.source?.file ?? "-",
          `${drift.manager ?? "-"}/${drift.operation ?? "-"}`,
        ].join(" "),
      ),
    ])
    .sort();
}

/** The deployer's entry in managedFields: kubectl's field managers in each mode. */
const deployer: Readonly<Record<Mode, string>> = {
  "client-side": "kubectl-client-side-apply/Update",
  "server-side": "kubectl/Apply",
};

const expectedReport = (mode: Mode): readonly string[] =>
  [
    "ConfigMap/web-config Drifted",
    `ConfigMap/web-config Added /data/b undeclared "2" deploy/config.yaml ${deployer[mode]}`,
    "Deployment/web Drifted",
    `Deployment/web Added /metadata/labels/team undeclared "payments" deploy/web.yaml ${deployer[mode]}`,
    `Deployment/web Added /metadata/annotations/owner undeclared "alice" deploy/web.yaml ${deployer[mode]}`,
    `Deployment/web Added /spec/template/spec/containers/0/ports/1 undeclared {"containerPort":9090,"protocol":"TCP"} deploy/web.yaml ${deployer[mode]}`,
  ].sort();

interface Live {
  readonly web: JsonObject;
  readonly config: JsonObject;
}

async function getLive(namespace: string): Promise<Live> {
  const web = await kubectlJson(fixture.sandbox(), ["-n", namespace, "get", "deployment", "web"]);
  const config = await kubectlJson(fixture.sandbox(), ["-n", namespace, "get", "configmap", "web-config"]);
  return { web, config };
}

/** A member of a JSON object that may be deleted. */
type Editable = Record<string, JsonValue>;

/** The object at `path` inside `root`, to edit in place; an empty scratch object when there is none. */
function objectAt(root: JsonValue, ...path: readonly string[]): Editable {
  let current: JsonValue | undefined = root;
  for (const key of path) {
    current = Array.isArray(current) ? (current as JsonValue[])[Number(key)] : valueAt(current, key);
  }
  return isJsonObject(current) ? current : {};
}

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration";

/** The annotations less the last-applied-configuration; none is the same as an empty map (rule 5). */
function annotationsOf(object: JsonObject): JsonObject | undefined {
  const annotations: Editable = { ...objectAt(object, "metadata", "annotations") };
  delete annotations[lastApplied];
  return Object.keys(annotations).length === 0 ? undefined : annotations;
}

/** What the deletions concern, and their neighbours that must stay. */
function declaredParts(live: Live): unknown {
  const containers = valueAt(live.web, "spec", "template", "spec", "containers") as readonly JsonObject[];
  return {
    labels: valueAt(live.web, "metadata", "labels"),
    annotations: annotationsOf(live.web),
    replicas: valueAt(live.web, "spec", "replicas"),
    containers: containers.map((container) => ({
      name: container["name"],
      image: container["image"],
      ports: container["ports"],
    })),
    data: valueAt(live.config, "data"),
  };
}

const trimmedParts = {
  labels: { app: "web" },
  annotations: undefined,
  replicas: 2,
  containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] }],
  data: { a: "1" },
};

/** A copy of the object less the four fields deleted from the files. */
function withoutDeleted(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  delete objectAt(copy, "metadata", "labels")["team"];
  delete objectAt(copy, "metadata", "annotations")["owner"];
  delete objectAt(copy, "data")["b"];
  const ports = objectAt(copy, "spec", "template", "spec", "containers", "0")["ports"];
  if (Array.isArray(ports)) (ports as JsonValue[]).splice(1, 1);
  return copy;
}

/**
 * A copy of the object less what every write changes (resourceVersion, managedFields) and the
 * last-applied-configuration (kubedrift leaves it; the next kubectl apply rewrites it); with
 * `sameGeneration` false, less the generation too (a changed spec counts one up). No annotations
 * and an empty map are the same.
 */
function comparable(object: JsonObject, sameGeneration = false): JsonObject {
  const copy = structuredClone(object);
  const metadata = objectAt(copy, "metadata");
  delete metadata["resourceVersion"];
  delete metadata["managedFields"];
  const annotations = annotationsOf(object);
  if (annotations === undefined) delete metadata["annotations"];
  else metadata["annotations"] = annotations;
  if (!sameGeneration) delete metadata["generation"];
  return copy;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe.each<Mode>(["client-side", "server-side"])("rule 4b after kubectl apply (%s)", (mode) => {
  const prefix = mode === "server-side" ? "ssa" : "csa";

  it("diff reports the four deleted fields as Added, reason undeclared, and exits 2", async () => {
    const started = await startingPoint(`${prefix}-diff`, mode);
    const json = await kubedrift(started, ["diff", "-o", "json"]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(2);
    expect(reportLines(json.stdout)).toEqual(expectedReport(mode));

    const text = await kubedrift(started, ["diff", "-o", "text"]);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(2);
    expect(occurrences(text.stdout, "no longer in deploy/web.yaml; the next apply removes it")).toBe(3);
    expect(occurrences(text.stdout, "no longer in deploy/config.yaml; the next apply removes it")).toBe(1);
    expect(text.stdout).toContain("+ metadata.labels.team: payments\n");
    expect(text.stdout).toContain("+ metadata.annotations.owner: alice\n");
  });

  it("kubedrift apply removes them and nothing else; diff exits 0; the next kubectl apply changes nothing", async () => {
    const started = await startingPoint(`${prefix}-apply`, mode);
    const before = await getLive(started.namespace);

    const applied = await kubedrift(started, ["apply", "--yes"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply: 2 applied, 0 unchanged, 0 skipped, 0 failed.");
    // The plan, on stderr: a JSON patch that tests each live value and removes it, its fields named
    // as the diff names them (the container by name where the CLI hands the renderer the live object).
    expect(applied.stderr).toMatch(
      /^ {4}test {3}spec\.template\.spec\.containers\[(0|name=web)\]\.ports\[containerPort=9090\] = \{"containerPort":9090,"protocol":"TCP"\}\n {4}remove spec\.template\.spec\.containers\[(0|name=web)\]\.ports\[containerPort=9090\]\n/m,
    );
    const after = await getLive(started.namespace);
    expect(declaredParts(after)).toEqual(trimmedParts);
    expect(comparable(after.web)).toEqual(comparable(withoutDeleted(before.web)));
    expect(comparable(after.config)).toEqual(comparable(withoutDeleted(before.config)));

    const diff = await kubedrift(started, ["diff"]);
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);

    // The deployer's next apply of the same files: nothing comes back, nothing else changes.
    const again = await kubectlOk(fixture.sandbox(), [
      ...deployArgs[mode],
      "-f",
      join(started.directory, "deploy"),
    ]);
    expect(again.stdout).toMatch(/^deployment\.apps\/web (configured|unchanged|serverside-applied)$/m);
    const last = await getLive(started.namespace);
    expect(declaredParts(last)).toEqual(trimmedParts);
    expect(comparable(last.web, true)).toEqual(comparable(after.web, true));
    expect(comparable(last.config, true)).toEqual(comparable(after.config, true));
    expect((await kubedrift(started, ["diff"])).code).toBe(0);
  });

  it("kubedrift adopt writes the four fields back where they were; diff exits 0", async () => {
    const started = await startingPoint(`${prefix}-adopt`, mode);

    const adopted = await kubedrift(started, ["adopt", "--yes"]);
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain("wrote deploy/config.yaml\n");
    expect(adopted.stdout).toContain("wrote deploy/web.yaml\n");
    // The deleted lines are back, as they were written; the rest of each file is untouched, comments
    // and quotes included. The port is written as declared: the server's protocol TCP is a default.
    expect(readFileSync(started.web, "utf8")).toBe(original(webText(started.namespace)));
    expect(readFileSync(started.config, "utf8")).toBe(original(configText(started.namespace)));

    const diff = await kubedrift(started, ["diff"]);
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);
  });
});

describe("rule 4b: no record, no report", () => {
  it("a label deleted from the file of objects made with kubectl create is not reported", async () => {
    const started = await startingPoint("created", "create");
    writeFileSync(started.web, original(webText(started.namespace)).replace("    team: payments\n", ""));
    writeFileSync(started.config, original(configText(started.namespace)));
    const live = await getLive(started.namespace);
    expect(valueAt(live.web, "metadata", "labels", "team")).toBe("payments");
    expect(annotationsOf(live.web)).toEqual({ owner: "alice" });

    const diff = await kubedrift(started, ["diff", "-o", "json"]);
    expect(diff.stderr).toBe("");
    expect(diff.code).toBe(0);
    expect(reportLines(diff.stdout)).toEqual(["ConfigMap/web-config InSync", "Deployment/web InSync"]);
  });
});
