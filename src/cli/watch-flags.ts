/**
 * `kubedrift watch`'s own flags, besides the sources and cluster flags it shares with diff: the
 * store and endpoints, notifications, healing, following a Git source, naming who made a change,
 * leader election, the log.
 */
import { Option, type Command } from "commander";
import { nonEmpty } from "./terminal.js";
import { LogLevels } from "./watch-log.js";

function collect(value: string, previous: readonly string[]): readonly string[] {
  return [...previous, value];
}

/**
 * `--context` is repeatable for watch (one loop per context, in one process) and `--all-contexts`
 * watches every context of the kubeconfig: added here unless the shared cluster flags have it.
 */
function withContexts(command: Command): Command {
  const context = command.options.find((option) => option.long === "--context");
  if (context !== undefined)
    context.description =
      "kubeconfig context to watch; repeatable: one loop per context in this process, into one store, /metrics and dashboard";
  if (command.options.some((option) => option.long === "--all-contexts")) return command;
  return command.option(
    "--all-contexts",
    "watch every context of the kubeconfig, one loop per cluster in this process (docs/fleet.md)",
  );
}

export function withWatchFlags(command: Command): Command {
  return withContexts(command)
    .addOption(
      new Option("--store <url>", "the history store: sqlite:PATH or postgres://…")
        .argParser(nonEmpty)
        .env("KUBEDRIFT_STORE_URL")
        .default("sqlite:./kubedrift.db"),
    )
    .option(
      "--cluster-name <name>",
      "the name this cluster's drift is recorded under in the store (default: the kubeconfig context; in a pod it is in-cluster, so name each cluster of a fleet)",
      nonEmpty,
    )
    .option("--resync <duration>", "evaluate everything again this often (e.g. 30s, 10m)", nonEmpty, "10m")
    .option("--listen <host:port>", "serve /metrics, /healthz and /readyz here", nonEmpty, "127.0.0.1:9090")
    .option(
      "--events",
      "write Kubernetes Events (DriftDetected, DriftResolved, HealFailed, DriftContested) on drifted objects",
      true,
    )
    .option("--no-events", "write no Kubernetes Events")
    .option(
      "--webhook <url>",
      "POST each drift of a warn or heal policy, opened or closed, as JSON here (repeatable)",
      collect,
      [],
    )
    .option(
      "--slack-webhook <url>",
      "post each drift of a warn or heal policy to this Slack incoming webhook (repeatable)",
      collect,
      [],
    )
    .option(
      "--notify-dedupe <duration>",
      "notify the same drift of the same resource once in this window",
      nonEmpty,
      "10m",
    )
    .option("--heal", "heal every drift in scope that no policy of kubedrift.yaml names (the policy heal)")
    .option("--heal-after <duration>", "let a drift stand this long before healing it", nonEmpty, "30s")
    .option("--heal-rate <n>", "heal at most this many times per minute", nonEmpty, "30")
    .option(
      "--fight-flips <n>",
      "a fight loop: another manager flips a healed field back this many times…",
      nonEmpty,
      "3",
    )
    .option(
      "--fight-window <duration>",
      "…within this window; then healing that field stops",
      nonEmpty,
      "10m",
    )
    .option(
      "--git-poll <duration>",
      "with --git-ref or --git-url: fetch this often, reloading the sources when the commit moves (--git-url: 1m)",
      nonEmpty,
    )
    .option(
      "--git-url <url>",
      "fetch the sources from this Git repository (https://, ssh://, git@host:path)",
      nonEmpty,
    )
    .option("--git-branch <name>", "with --git-url: the branch (default: the remote's HEAD)", nonEmpty)
    .option(
      "--git-path <dir>",
      "with --git-url: the directory of the repository the source paths are in",
      nonEmpty,
    )
    .option("--git-token-file <file>", "with --git-url: an HTTPS token, read at each fetch", nonEmpty)
    .option(
      "--git-token-env <name>",
      "with --git-url: the environment variable holding an HTTPS token",
      nonEmpty,
    )
    .option(
      "--git-username-file <file>",
      "with --git-url: the HTTPS user name (basic authentication)",
      nonEmpty,
    )
    .option(
      "--git-password-file <file>",
      "with --git-url: the HTTPS password (basic authentication)",
      nonEmpty,
    )
    .option("--git-ssh-key-file <file>", "with --git-url: the SSH private key", nonEmpty)
    .option(
      "--git-known-hosts <file>",
      "with --git-url: the SSH known_hosts the server's key must be in",
      nonEmpty,
    )
    .option(
      "--git-cache <dir>",
      "with --git-url: where the checkout is kept (default: under the temporary directory)",
      nonEmpty,
    )
    .option(
      "--git-hook-secret-file <file>",
      "with --git-url: serve /hooks/git, fetching at once on a push signed with this secret (GitHub, GitLab, Gitea)",
      nonEmpty,
    )
    .option(
      "--leader-elect",
      "run as one of several replicas: only the holder of a Lease records, heals and notifies",
    )
    .option(
      "--leader-elect-resource-namespace <ns>",
      "the Lease's namespace (default: $POD_NAMESPACE, else kubedrift)",
      nonEmpty,
    )
    .option("--leader-elect-resource-name <name>", "the Lease's name", nonEmpty, "kubedrift")
    .option(
      "--leader-elect-lease-duration <duration>",
      "how long followers wait before taking over",
      nonEmpty,
      "15s",
    )
    .option(
      "--leader-elect-renew-deadline <duration>",
      "how long the leader tries to renew before stepping down",
      nonEmpty,
      "10s",
    )
    .option(
      "--leader-elect-retry-period <duration>",
      "how often candidates try, and the leader renews",
      nonEmpty,
      "2s",
    )
    .option(
      "--shard <i/n>",
      "watch only the namespaces of shard I of N (0 ≤ I < N; a stable hash of the namespace's name; cluster-scoped objects in shard 0): one replica of a cluster too large for one process, with its own Lease (docs/fleet.md)",
      nonEmpty,
    )
    .option(
      "--audit-token-file <file>",
      "serve /audit for kube-apiserver's audit webhook, whose requests carry this bearer token: drifts name the user",
      nonEmpty,
    )
    .option(
      "--ui-token-file <file>",
      "serve the dashboard's JSON API under /api/ to requests that carry this bearer token (docs/api.md)",
      nonEmpty,
    )
    .option(
      "--ui-actions",
      "let the dashboard write: its Heal button (POST /api/resources/…/heal, with the session's CSRF token); read-only without",
    )
    .option(
      "--ui-blame",
      "the dashboard's resource page names the commit that last changed each drifted field's source line (git blame)",
    )
    .option(
      "--ui-auth <mode>",
      "who may open the dashboard: token (the --ui-token-file sign-in form) or proxy (a reverse proxy authenticates and names the user in --ui-proxy-header; keep --listen on loopback and have the proxy strip that header from clients)",
      nonEmpty,
      "token",
    )
    .option(
      "--ui-proxy-header <name>",
      "with --ui-auth proxy: the request header that names the user the proxy authenticated",
      nonEmpty,
      "X-Forwarded-User",
    )
    .option(
      "--admission-record",
      "serve /admission/record, a record-only admission webhook (always allows): drifts name the user",
    )
    .option("--tls-cert <file>", "serve over HTTPS with this certificate (PEM); webhooks need it", nonEmpty)
    .option("--tls-key <file>", "the certificate's private key (PEM)", nonEmpty)
    .option(
      "--attribution-wait <duration>",
      "how long a fresh change waits for its audit event or admission request",
      nonEmpty,
      "2s",
    )
    .option(
      "--emit-webhook-config",
      "print the ValidatingWebhookConfiguration for the scope (with --webhook-url or --webhook-service, --tls-ca) and exit",
    )
    .option(
      "--webhook-url <url>",
      "with --emit-webhook-config: where kube-apiserver reaches watch (https://…)",
      nonEmpty,
    )
    .option(
      "--webhook-service <ns/name:port>",
      "with --emit-webhook-config: the Service kube-apiserver reaches watch through",
      nonEmpty,
    )
    .option(
      "--tls-ca <file>",
      "with --emit-webhook-config: the CA of the serving certificate (default --tls-cert)",
      nonEmpty,
    )
    .option(
      "--emit-rbac",
      "print the least RBAC this watch needs (Roles or ClusterRoles and their bindings) and exit",
    )
    .option("--service-account <name>", "with --emit-rbac: the ServiceAccount bound", nonEmpty, "kubedrift")
    .option(
      "--service-account-namespace <ns>",
      "with --emit-rbac: its namespace (default: $POD_NAMESPACE, else kubedrift)",
      nonEmpty,
    )
    .option("--log-level <level>", `log from this level up (${LogLevels.join(", ")})`, nonEmpty, "info")
    .addHelpText(
      "after",
      [
        "",
        "Policies (kubedrift.yaml, the last matching rule wins):",
        "  policies:",
        "    - mode: warn                # detect (the default): record and signal; warn: also notify the webhooks",
        "    - kinds: [apps/Deployment]  # heal: also put the drifted fields back, after --heal-after",
        "      namespaces: [shop]",
        "      mode: heal",
        "    - path: /spec/replicas      # a field left to an autoscaler",
        "      mode: detect",
        "",
        "The sources (and kubedrift.yaml) are read again when their files change, and with",
        "--git-ref REF --git-poll DUR when the ref moves (with --git-url, when the branch moves); an open drift the change ends is closed as",
        "sourceChanged. Logs one line per drift opened, closed, healed or contested on stderr (JSON",
        "lines when stderr is not a terminal). Stops on SIGINT or SIGTERM with exit status 0; 1 on an error.",
        "",
        "Fleets (docs/fleet.md): one watch per cluster, each with --cluster-name NAME and --leader-elect,",
        "all with --store postgres://… on one database; `kubedrift history` and any watch's dashboard read",
        "every cluster's drift there. A few clusters from one process: --context a --context b, or",
        "--all-contexts (KUBECONFIG=a:b merges as kubectl does); every log line then names its cluster.",
        "",
        "One cluster too large for one process: N replicas, each with --shard I/N (0/3, 1/3, 2/3), split its",
        "namespaces by a stable hash; each watches, caches and records only its own, and with --leader-elect",
        "takes its own Lease (NAME-shard-I-of-N). A StatefulSet's ordinal makes a good I (docs/fleet.md).",
      ].join("\n"),
    );
}
