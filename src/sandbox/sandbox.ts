import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:https";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chainAdmission, createPolicyAdmission } from "./admission-policies/index.js";
import {
  createWebhookAdmission,
  type WebhookAdmission,
  type WebhookAdmissionOptions,
} from "./admission-webhooks/index.js";
import { createAuditing, readAuditFiles, type AuditOptions, type Auditing } from "./audit/index.js";
import { bootstrapCluster, startNamespaceController } from "./controllers/namespaces.js";
import { startCustomResourceController } from "./controllers/custom-resources.js";
import { bootstrapRbac, startAggregationController } from "./controllers/rbac.js";
import { createSandboxAuth } from "./auth/index.js";
import { readTokenFile, type StaticTokens } from "./auth/token-file.js";
import type { FaultInjector, FaultOptions } from "./faults.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { servingIdentity } from "./identity.js";
import { ResourceRegistry } from "./registry/registry.js";
import { createApp, type ApiApp } from "./server/app.js";
import type { ServerContext } from "./server/context.js";
import { createRequestListener } from "./server/http.js";
import { DEFAULT_COMPACT_EVERY } from "./store/file-persistence.js";
import { openStore } from "./store/open-store.js";
import type { WatchSubscription } from "./store/types.js";
import { createMachinery, createOpenAPI } from "./wiring.js";
import type { Machinery } from "./server/machinery.js";
import type { ServiceAllocatorOptions } from "./allocation/service-allocators.js";

export interface SandboxOptions extends AuditOptions {
  /** Loopback by default: the sandbox is a development tool, not something to expose. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Where to write the kubeconfig; a new temporary file by default. */
  readonly kubeconfigPath?: string;
  /** Persist the state here (it survives restarts); in memory only when absent. */
  readonly dataDir?: string;
  /** The bearer token of the kubeconfig's user (in system:masters); random by default. */
  readonly token?: string;
  /**
   * kube-apiserver's `--token-auth-file`: more users, one CSV line each (`token,user,uid,"group1,group2"`).
   * Read once at start; a malformed line fails the start with FILE:LINE.
   */
  readonly tokenAuthFile?: string;
  readonly faults?: FaultOptions;
  /** Injectable for deterministic tests. */
  readonly now?: () => Date;
  readonly random?: () => number;
  /** BOOKMARK interval for watches that allow bookmarks (default 60 s, as kube-apiserver roughly does). */
  readonly bookmarkIntervalMs?: number;
  /**
   * kube-apiserver's `--service-cluster-ip-range`: the IPv4 CIDR Service cluster IPs come from
   * (10.96.0.0/12 by default). A range that cannot be parsed fails the start.
   */
  readonly serviceClusterIPRange?: string;
  /** kube-apiserver's `--service-node-port-range`, `FROM-TO` (30000-32767 by default). */
  readonly serviceNodePortRange?: string;
  /** Called with errors of the built-in controllers (they never fail a client request). */
  readonly onControllerError?: (error: unknown) => void;
}

export interface RunningSandbox {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** PEM of the self-signed serving certificate (the kubeconfig's certificate-authority-data). */
  readonly certificateAuthority: string;
  readonly kubeconfigPath: string;
  readonly token: string;
  readonly faults: FaultInjector;
  stop(): Promise<void>;
}

const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

function randomSuffix(random: () => number): () => string {
  return () =>
    Array.from({ length: 5 }, () => suffixAlphabet[Math.floor(random() * suffixAlphabet.length)] ?? "x").join(
      "",
    );
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function faultInjector(
  initial: FaultOptions,
  openWatches: Set<() => void>,
  compact: () => void,
): FaultInjector & { current: FaultOptions } {
  let current = initial;
  const dropWatches = (): number => {
    const drops = [...openWatches];
    for (const drop of drops) drop();
    return drops.length;
  };
  return {
    get current() {
      return current;
    },
    set: (options) => {
      current = options;
    },
    dropWatches,
    expireWatchHistory: compact,
  };
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function allocatorOptions(options: SandboxOptions): ServiceAllocatorOptions {
  return {
    ...(options.serviceClusterIPRange === undefined
      ? {}
      : { serviceClusterIPRange: options.serviceClusterIPRange }),
    ...(options.serviceNodePortRange === undefined
      ? {}
      : { serviceNodePortRange: options.serviceNodePortRange }),
  };
}

function createContext(
  options: CoreOptions,
  address: { value: string },
  compactEvery: () => number,
  staticTokens: StaticTokens,
): ServerContext {
  const store = openStore(options.dataDir === undefined ? {} : { dataDir: options.dataDir, compactEvery });
  const registry = new ResourceRegistry();
  const now = options.now ?? (() => new Date());
  let machinery: Machinery;
  try {
    machinery = createMachinery(store, registry, allocatorOptions(options));
  } catch (error: unknown) {
    store.close();
    throw error;
  }
  return {
    store,
    registry,
    machinery,
    auth: createSandboxAuth({
      adminToken: options.token,
      staticTokens,
      // Without --data (or from a test), tokens live as long as the sandbox: a key of its own.
      serviceAccountKey: options.serviceAccountKey ?? randomBytes(32),
      store,
      now,
    }),
    now,
    newUid: randomUUID,
    randomSuffix: randomSuffix(options.random ?? Math.random),
    serverAddress: () => address.value,
  };
}

/** The built-in controllers: CRDs served as resources, namespaces populated, the cluster bootstrapped. */
function startControllers(
  context: ServerContext,
  rootCA: string,
  onError: (error: unknown) => void,
): readonly WatchSubscription[] {
  const customResources = startCustomResourceController(context, onError);
  bootstrapCluster(context, rootCA, onError);
  bootstrapRbac(context);
  return [
    customResources,
    startNamespaceController(context, { rootCA, onError }),
    startAggregationController(context, onError),
  ];
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The sandbox without sockets: the API app, its state and controllers (tests call `app.handle` directly). */
export interface SandboxCore {
  readonly app: ApiApp;
  readonly context: ServerContext;
  readonly faults: FaultInjector & { readonly current: FaultOptions };
  /** The audit filter and its webhook backend (`--audit-policy-file`, `--audit-webhook-config-file`). */
  readonly auditing: Auditing;
  /** The ValidatingAdmissionPolicies and the ValidatingWebhookConfigurations' webhooks, before each write. */
  readonly admission: WebhookAdmission;
  /** Stops the controllers and closes the store. */
  close(): void;
}

export type CoreOptions = SandboxOptions & {
  readonly token: string;
  readonly rootCA: string;
  /** The key service account tokens are signed with; random when absent. */
  readonly serviceAccountKey?: Buffer;
};

/** The ValidatingAdmissionPolicies, then the validating webhooks, as kube-apiserver orders its plugins. */
function admissionOf(options: WebhookAdmissionOptions): WebhookAdmission {
  return chainAdmission(createPolicyAdmission(options), createWebhookAdmission(options));
}

export function createSandboxCore(
  options: CoreOptions,
  address: { value: string } = { value: "127.0.0.1" },
): SandboxCore {
  // A token file that cannot be read stops the start before anything is opened, as in kube-apiserver.
  const staticTokens: StaticTokens =
    options.tokenAuthFile === undefined ? new Map() : readTokenFile(options.tokenAuthFile);
  const openWatches = new Set<() => void>();
  // Audit files are read before anything is opened too: a malformed one stops the start.
  const auditFiles = readAuditFiles(options);
  const faults = faultInjector(options.faults ?? {}, openWatches, () => context.store.compactHistory());
  const context = createContext(
    options,
    address,
    () => faults.current.compactJournalEvery ?? DEFAULT_COMPACT_EVERY,
    staticTokens,
  );
  const onError =
    options.onControllerError ?? ((error: unknown) => console.error("sandbox controller:", error));
  const auditing = createAuditing(auditFiles, options, {
    auth: context.auth,
    now: context.now,
    newId: randomUUID,
  });
  const controllers = startControllers(context, options.rootCA, onError);
  const app = createApp({
    context,
    auth: context.auth,
    openapi: createOpenAPI(context.registry, context.store),
    watch: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      defaultTimeoutSeconds: 1800,
      openWatches,
      dropAfterMs: () => faults.current.dropWatchesAfterMs,
    },
  });
  return {
    app,
    context,
    faults,
    auditing,
    admission: admissionOf({
      context,
      handle: (request) => app.handle(request),
      log: (line) => process.stderr.write(`${line}\n`),
    }),
    close: () => {
      faults.dropWatches();
      for (const controller of controllers) controller.close();
      context.store.close();
    },
  };
}

/** Starts a sandbox API server; resolves once it accepts connections. */
/** A kubeconfig of the sandbox's own making holds the token: it goes when the sandbox stops. */
function kubeconfigPlace(given: string | undefined): {
  readonly kubeconfigPath: string;
  readonly removeOwnDirectory: () => void;
} {
  if (given !== undefined) return { kubeconfigPath: given, removeOwnDirectory: () => undefined };
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-sandbox-"));
  return {
    kubeconfigPath: join(directory, "kubeconfig"),
    removeOwnDirectory: () => rmSync(directory, { recursive: true, force: true }),
  };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? "127.0.0.1";
  const address = { value: "" };
  const { certificate, token, serviceAccountKey } = await servingIdentity({
    dataDir: options.dataDir,
    hosts: ["127.0.0.1", "localhost", "::1", host],
    now: (options.now ?? (() => new Date()))(),
    token: options.token,
  });
  const core = createSandboxCore(
    { ...options, token, serviceAccountKey, rootCA: certificate.certificatePem },
    address,
  );
  const listener = createRequestListener({
    app: core.app,
    faults: () => core.faults.current,
    random: options.random ?? Math.random,
    audit: core.auditing.auditor,
    admission: core.admission,
  });
  const server = createServer({ cert: certificate.certificatePem, key: certificate.keyPem }, listener);
  const { port } = await listen(server, host, options.port ?? 0).catch((error: unknown) => {
    core.close();
    throw error;
  });
  address.value = `${urlHost(host)}:${port}`;
  const url = `https://${address.value}`;
  const { kubeconfigPath, removeOwnDirectory } = kubeconfigPlace(options.kubeconfigPath);
  try {
    writeKubeconfig(kubeconfigPath, {
      server: url,
      token,
      certificateAuthorityPem: certificate.certificatePem,
    });
  } catch (error: unknown) {
    // Nobody could reach a sandbox without its kubeconfig: stop rather than serve.
    await closeServer(server);
    core.close();
    removeOwnDirectory();
    throw error;
  }
  return {
    url,
    certificateAuthority: certificate.certificatePem,
    kubeconfigPath,
    token,
    faults: core.faults,
    stop: async () => {
      core.faults.dropWatches();
      await closeServer(server);
      // Events of the last requests still go out, as kube-apiserver's backend flushes on shutdown.
      await core.auditing.flush();
      core.close();
      removeOwnDirectory();
    },
  };
}
