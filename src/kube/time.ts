/**
 * RFC 3339 in UTC with whole seconds, as metav1.Time serializes (`2026-11-22T12:00:00Z`): the
 * form of creationTimestamp, deletionTimestamp, managedFields times and condition times.
 */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
