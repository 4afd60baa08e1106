/**
 * RFC 3339 in UTC with whole seconds, as metav1.Time serializes (`2026-11-22T12:00:00Z`): the
 * form of creationTimestamp, deletionTimestamp, managedFields times and condition times.
 */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `4m12s`, `1h0m3s`, `0s`: Go's duration notation, to the second (how long a drift lasted). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
