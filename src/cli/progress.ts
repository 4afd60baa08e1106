import { silentProgress, type Progress } from "../inspect/progress.js";

/**
 * On a terminal, one line on stderr rewritten in place (`\r` and erase-line), at most every
 * `intervalMs`; in pipes, CI logs and machine-readable output nothing at all, so that stdout
 * and stderr stay clean for parsing.
 */
export function terminalProgress(
  stream: NodeJS.WriteStream,
  options: { readonly intervalMs?: number; readonly now?: () => number } = {},
): Progress {
  if (stream.isTTY !== true) return silentProgress;
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let last = -Infinity;
  let shown = false;
  return {
    update: (message) => {
      const time = now();
      if (time - last < interval) return;
      last = time;
      shown = true;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${message.length > width ? `${message.slice(0, width - 1)}…` : message}`);
    },
    done: () => {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
