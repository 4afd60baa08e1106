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
      throw new ApiError(
        400,
        StatusReasons.badRequest,
        `Invalid dry run value: "${value}": supported values: "All"`,
      );
    }
  }
  return values.length > 0;
}

function parseFieldValidation(query: URLSearchParams): FieldValidationMode {
  const value = query.get("fieldValidation");
  if (value === null || value === "") return FieldValidation.warn;
  const mode = Object.values(FieldValidation).find(
    (candidate) => candidate.toLowerCase() === value.toLowerCase(),
  );
  if (mode === undefined) {
    throw badRequest(
      `fieldValidation parameter unsupported: ${value}. Valid values are Ignore, Warn or Strict`,
    );
  }
  return mode;
}

// Validated per operation by the field manager (CreateOptions, UpdateOptions or PatchOptions).
function parseFieldManager(query: URLSearchParams): string | undefined {
  const value = query.get("fieldManager");
  return value === null || value === "" ? undefined : value;
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
