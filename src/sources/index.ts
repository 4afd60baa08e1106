export { SourceError } from "./types.js";
export type { LoadedSources, SourceSpec } from "./types.js";
export { parseManifests, ReadModes } from "./manifest.js";
export type { ParsedManifests, ReadMode } from "./manifest.js";
export { buildKustomization } from "./kustomize.js";
export { collectFieldLines } from "./field-lines.js";
export type { LoadOptions } from "./load.js";
export { stdinFileName, assertNoDuplicates, loadSources } from "./load.js";
