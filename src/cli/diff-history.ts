/**
 * `kubedrift diff --store URL [--notify URL] [--notify-slack URL]`: the run's drift recorded as
 * episodes in the history store, and the episodes it opens or ends notified, so that a scheduled
 * CI job gets the history and notifications `watch` gives (issue 13, item 5).
 */
import type { Webhook } from "../controller/notify.js";
import type { RecordedRun } from "../controller/record-run.js";
import type { DriftReport } from "../model/index.js";
import { CliError } from "./errors.js";

export interface HistoryFlags {
  readonly store?: string;
  readonly notify?: readonly string[];
  readonly notifySlack?: readonly string[];
}

export interface RunHistory {
  readonly store: string;
  readonly webhooks: readonly Webhook[];
}

/** Checked before anything is read: a malformed URL, or notifications without a store to tell what is new. */
export async function runHistoryOf(flags: HistoryFlags): Promise<RunHistory | undefined> {
  const json = flags.notify ?? [];
  const slack = flags.notifySlack ?? [];
  if (flags.store === undefined) {
    if (json.length + slack.length > 0)
      throw new CliError(
        "--notify: give --store URL too (a notification tells a drift that started or ended since the last run)",
      );
    return undefined;
  }
  const { parseStoreUrl, StoreError } = await import("../store/index.js");
  try {
    parseStoreUrl(flags.store);
  } catch (error: unknown) {
    throw error instanceof StoreError ? new CliError(`--store: ${error.message}`) : error;
  }
  return { store: flags.store, webhooks: await webhooksOf(json, slack) };
}

async function webhooksOf(json: readonly string[], slack: readonly string[]): Promise<readonly Webhook[]> {
  const { webhooksFrom, WebhookUrlError } = await import("../controller/notify.js");
  try {
    return webhooksFrom(json, slack, { json: "--notify", slack: "--notify-slack" });
  } catch (error: unknown) {
    throw error instanceof WebhookUrlError ? new CliError(error.message) : error;
  }
}

/** How long the notifications of one run may take to go out before diff ends. */
const notifyGraceMs = 15_000;

/**
 * Records the report, then sends what opened or ended; returns the line for stderr
 * (`recorded in sqlite:./kubedrift.db: 1 drift episode opened, 0 ended, 2 still open`).
 */
export async function recordRun(
  report: DriftReport,
  history: RunHistory,
  log: (line: string) => void,
): Promise<string> {
  const { openStore, StoreError } = await import("../store/index.js");
  const { recordReport } = await import("../controller/record-run.js");
  const store = await openStore(history.store).catch((error: unknown) => {
    throw error instanceof StoreError ? new CliError(error.message) : error;
  });
  const run = await (async () => {
    try {
      return await recordReport(store, report, report.generatedAt);
    } finally {
      await store.close();
    }
  })();
  if (history.webhooks.length > 0) await notifyRun(run, { history, cluster: report.cluster, log });
  const episodes = (count: number): string => `${count} drift episode${count === 1 ? "" : "s"}`;
  return `recorded in ${maskedStore(history.store)}: ${episodes(run.opened.length)} opened, ${run.closed.length} ended, ${run.extended.length} still open`;
}

async function notifyRun(
  run: RecordedRun,
  context: { readonly history: RunHistory; readonly cluster: string; readonly log: (line: string) => void },
): Promise<void> {
  const { createNotifier, NotificationEvents } = await import("../controller/notify.js");
  const { systemClock } = await import("../controller/informer.js");
  const notifier = createNotifier({
    webhooks: context.history.webhooks,
    cluster: context.cluster,
    clock: systemClock,
    dedupeMs: 0,
    log: (message, fields) =>
      context.log(`${message}${"error" in fields ? `: ${String(fields["error"])}` : ""}`),
  });
  for (const episode of run.opened) notifier.notify({ event: NotificationEvents.detected, episode });
  for (const episode of run.closed) notifier.notify({ event: NotificationEvents.resolved, episode });
  await notifier.close(notifyGraceMs);
}

/** A PostgreSQL URL's password is not repeated on stderr. */
function maskedStore(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}
