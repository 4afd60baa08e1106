import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { readFileSync, readdirSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { inspectDrift, noSources, objectsByRef, silentProgress } from "../inspect/index.js";
import { formatTime } from "../kube/time.js";
import type { DriftReport } from "../model/index.js";
import { hasDrift, renderReport } from "../report/index.js";
import { startSandbox, type RunningSandbox } from "../sandbox/index.js";
import { demoDirectory, Interrupts, signalExitStatus } from "./cleanup.js";

/** The example application the demo deploys (also the desired state of the next steps' drift report). */
export const exampleDirectory = new URL("../../examples/shop/", import.meta.url);

export const demoDeployer = "kubedrift-demo";
/** Someone runs `kubectl edit` on the live Deployment: the classic out-of-band change. */
export const outOfBandManager = "kubectl-edit";

export function loadExampleObjects(): readonly KubernetesObject[] {
  const files = readdirSync(exampleDirectory)
    .filter((file) => file.endsWith(".yaml"))
    .sort();
  // namespace.yaml sorts before web.yaml, so the namespace exists before what goes into it.
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, exampleDirectory), "utf8"))
      .map((document) => document.toJS() as KubernetesObject | null)
      .filter((object): object is KubernetesObject => object !== null),
  );
}

function describe(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? "?"} ${namespace === undefined ? "" : `${namespace}/`}${object.metadata?.name ?? "?"}`;
}

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly time?: string | Date;
  readonly fieldsV1?: unknown;
}

function ownerOfReplicas(object: KubernetesObject): ManagedFieldsEntry | undefined {
  const entries = (object.metadata?.managedFields ?? []) as readonly ManagedFieldsEntry[];
  return entries.find((entry) => {
    const fields = entry.fieldsV1 as { "f:spec"?: { "f:replicas"?: unknown } } | undefined;
    return fields?.["f:spec"]?.["f:replicas"] !== undefined;
  });
}

/** ` since 2026-…Z`, or `, time unknown` for an entry without one (as a /scale write leaves it). */
function sinceText(time: string | Date | undefined): string {
  if (time === undefined) return ", time unknown";
  return ` since ${formatTime(typeof time === "string" ? new Date(time) : time)}`;
}

export interface DemoOptions {
  readonly keep: boolean;
  readonly write: (line: string) => void;
  /** Colour the report (a terminal without NO_COLOR). */
  readonly color: boolean;
  readonly cwd: string;
  /** The exit status `kubedrift diff` gives a report (the CLI's convention), shown after it. */
  readonly exitStatus: (report: DriftReport) => number;
}

/** The demo's last step is the product itself: `kubedrift diff` of the example against the sandbox. */
async function reportDrift(sandbox: RunningSandbox, options: DemoOptions): Promise<void> {
  const sources = relative(options.cwd, fileURLToPath(exampleDirectory)) || ".";
  options.write("");
  options.write(`$ kubedrift diff -f ${sources} --kubeconfig ${sandbox.kubeconfigPath}`);
  const inspection = await inspectDrift(
    { ...noSources, filenames: [sources], kubeconfig: sandbox.kubeconfigPath, blame: false },
    {
      cwd: options.cwd,
      env: {},
      stdin: process.stdin,
      note: (line) => options.write(`note: ${line}`),
      progress: silentProgress,
      now: () => new Date(),
    },
  );
  const { report } = inspection;
  const text = renderReport(report, "text", {
    color: options.color,
    now: new Date(),
    cwd: options.cwd,
    objects: objectsByRef(inspection),
  });
  options.write(text.replace(/\n$/, ""));
  const drift = report.summary.errors === 0 && hasDrift(report.summary);
  options.write(`(exit status ${options.exitStatus(report)}: ${drift ? "drift found" : "no drift"})`);
}

async function deploy(client: KubernetesObjectApi, write: (line: string) => void): Promise<void> {
  for (const object of loadExampleObjects()) {
    await client.patch(object, undefined, undefined, demoDeployer, true, PatchStrategy.ServerSideApply);
    write(`  applied ${describe(object)} (server-side apply, field manager "${demoDeployer}")`);
  }
}

async function editReplicas(client: KubernetesObjectApi): Promise<KubernetesObject> {
  const patch = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: { replicas: 5 },
  };
  return client.patch(patch, undefined, undefined, outOfBandManager, undefined, PatchStrategy.MergePatch);
}

async function waitForInterrupt(
  sandbox: RunningSandbox,
  interrupts: Interrupts,
  write: (line: string) => void,
): Promise<void> {
  write("");
  write(
    `The sandbox keeps running. Try: kubectl --kubeconfig ${sandbox.kubeconfigPath} -n shop get deploy web -o yaml --show-managed-fields`,
  );
  write("Stop it with Ctrl-C: the sandbox and its kubeconfig go with it.");
  await interrupts.next();
}

async function runSteps(
  sandbox: RunningSandbox,
  options: DemoOptions,
  interrupts: Interrupts,
): Promise<void> {
  const { write } = options;
  write(`Started the kubedrift sandbox at ${sandbox.url} (kubeconfig: ${sandbox.kubeconfigPath})`);
  const config = new KubeConfig();
  config.loadFromFile(sandbox.kubeconfigPath);
  const client = KubernetesObjectApi.makeApiClient(config);
  write(`Deploying the example application from examples/shop:`);
  await deploy(client, write);
  const edited = await editReplicas(client);
  const owner = ownerOfReplicas(edited);
  write(`Out-of-band change: "${outOfBandManager}" set Deployment shop/web spec.replicas from 2 to 5.`);
  write(
    `The cluster now records that change in managedFields: spec.replicas is owned by "${owner?.manager ?? "?"}" (${owner?.operation ?? "?"})${sinceText(owner?.time)}.`,
  );
  write(`Git still says replicas: 2. That gap is configuration drift. kubedrift reports it:`);
  await reportDrift(sandbox, options);
  if (options.keep) await waitForInterrupt(sandbox, interrupts, write);
}

/**
 * `kubedrift demo`: everything runs against a fresh in-process sandbox; nothing outside it is touched,
 * and nothing is left behind: its kubeconfig (with the sandbox's token) is removed when the demo
 * ends, however it ends (see cleanup.ts).
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const directory = demoDirectory();
  const interrupts = new Interrupts((signal) => {
    directory.remove();
    process.exit(signalExitStatus(signal));
  });
  try {
    const sandbox = await startSandbox({ kubeconfigPath: directory.kubeconfigPath });
    try {
      await runSteps(sandbox, options, interrupts);
    } finally {
      await sandbox.stop();
    }
  } finally {
    directory.remove();
    interrupts.dispose();
  }
}
