import type { JsonObject } from "../../kube/value/json.js";

/** The OpenAPI documents the server serves (built from the derived schema tables and CRDs). */
export interface OpenAPIDocuments {
  v2(): JsonObject;
  index(): JsonObject;
  /** `api/v1`, `apis/apps/v1`, …; undefined when the group version is not served. */
  document(groupVersionPath: string): JsonObject | undefined;
}
