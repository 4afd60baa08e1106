import { ApiError, StatusReasons, badRequest } from "../api/status.js";

export const FieldValidation = { ignore: "Ignore", warn: "Warn", strict: "Strict" } as const;
export type FieldValidationMode = (typeof FieldValidation)[keyof typeof FieldValidation];

/** The query parameters of a write (CreateOptions, UpdateOptions, PatchOptions). */
export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldManager: string | undefined;
  readonly fieldValidation: FieldValidationMode;
  readonly force: boolean;
  readonly userAgent: string | undefined;
}

function parseDryRun(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const value of values) {
    if (value !== "All") {
      throw new ApiError(400, StatusReasons.badRequest, `Invalid dry run value: "${value}": supported values: "All"`);
    }
  }
  return values.length > 0;
}

function parseFieldValidation(query: URLSearchParams): FieldValidationMode {
  const value = query.get("fieldValidation");
  if (value === null || value === "") return FieldValidation.warn;
  const mode = Object.values(FieldValidation).find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (mode === undefined) {
    throw badRequest(`fieldValidation parameter unsupported: ${value}. Valid values are Ignore, Warn or Strict`);
  }
  return mode;
}

// kube-apiserver validates the manager name: at most 128 printable characters.
function parseFieldManager(query: URLSearchParams): string | undefined {
  const value = query.get("fieldManager");
  if (value === null || value === "") return undefined;
  if (value.length > 128) {
    throw new ApiError(422, StatusReasons.invalid, `fieldManager: Too long: may not be more than 128 bytes`);
  }
  if (!/^[\x20-\x7e]+$/.test(value)) {
    throw new ApiError(422, StatusReasons.invalid, `fieldManager: Invalid value: "${value}": must be printable characters`);
  }
  return value;
}

export function parseWriteOptions(query: URLSearchParams, userAgent: string | undefined): WriteOptions {
  const force = query.get("force");
  return {
    dryRun: parseDryRun(query),
    fieldManager: parseFieldManager(query),
    fieldValidation: parseFieldValidation(query),
    force: force === "true" || force === "1",
    userAgent,
  };
}
