/**
 * The field manager of a request: `fieldManager` when given, else the product token of the
 * User-Agent (`kubectl/v1.32.0 (linux/amd64) kubernetes/…` → `kubectl`), as kube-apiserver does.
 */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined) return fieldManager;
  const product = (userAgent ?? "").split("/")[0] ?? "";
  return product.slice(0, 128);
}
