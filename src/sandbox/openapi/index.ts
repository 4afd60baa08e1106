/**
 * The OpenAPI documents the sandbox serves (/openapi/v3 and /openapi/v2): path specs (paths.ts),
 * custom resource definitions (crd-definitions.ts), the descriptions file (load.ts), definitions
 * and their descriptions (definitions.ts), v2 and v3 rendering (v2.ts, v3.ts), and the server
 * that builds and caches them (server.ts).
 */
export { createOpenAPIServer, type OpenAPIServer } from "./server.js";
export { customDefinitionName, groupVersionPath } from "./paths.js";
export { builtinDescriptions, type DescriptionNode } from "./load.js";
export { describeSchema } from "./definitions.js";
