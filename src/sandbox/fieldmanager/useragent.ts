import { invalid } from "../api/status.js";
import type { StatusCause } from "../api/status.js";

/** FieldManagerMaxLength of apimachinery's validation. */
export const fieldManagerMaxLength = 128;

function isPrintable(char: string): boolean {
  // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  return char === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char);
}

/**
 * The default manager name when a write has no `fieldManager`: the User-Agent up to its
 * first "/", without non-printable characters, at most 128 bytes (prefixFromUserAgent).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const product = (userAgent ?? "").split("/")[0];
  let out = "";
  for (const char of product) {
    if (!isPrintable(char)) continue;
    if (Buffer.byteLength(out, "utf8") >= fieldManagerMaxLength) break;
    out += char;
  }
  return out;
}

/** ValidateFieldManager's errors for a `fieldManager` query parameter. */
export function fieldManagerCauses(fieldManager: string): readonly StatusCause[] {
  const causes: StatusCause[] = [];
  if (Buffer.byteLength(fieldManager, "utf8") > fieldManagerMaxLength) {
    causes.push({
      reason: "FieldValueTooLong",
      message: `Too long: may not be more than ${fieldManagerMaxLength} bytes`,
      field: "fieldManager",
    });
  }
  let position = 0;
  for (const char of fieldManager) {
    if (!isPrintable(char)) {
      const code = char.codePointAt(0) ?? 0;
      const hex = code.toString(16).toUpperCase().padStart(4, "0");
      causes.push({
        reason: "FieldValueInvalid",
        message: `Invalid value: ${JSON.stringify(fieldManager)}: invalid character U+${hex} (at position ${position})`,
        field: "fieldManager",
      });
    }
    position += Buffer.byteLength(char, "utf8");
  }
  return causes;
}

/**
 * Validates the options of a write as kube-apiserver does (422 on `PatchOptions` /
 * `CreateOptions` / `UpdateOptions` of meta.k8s.io); apply patches require a manager.
 */
export function validateFieldManager(
  fieldManager: string | undefined,
  options: {
    readonly isApply: boolean;
    readonly optionsKind: "CreateOptions" | "UpdateOptions" | "PatchOptions";
  },
): void {
  const causes: StatusCause[] = [];
  if (options.isApply && (fieldManager ?? "") === "") {
    causes.push({
      reason: "FieldValueRequired",
      message: "Required value: is required for apply patch",
      field: "fieldManager",
    });
  }
  causes.push(...fieldManagerCauses(fieldManager ?? ""));
  if (causes.length > 0) throw invalid({ group: "meta.k8s.io", kind: options.optionsKind }, "", causes);
}
