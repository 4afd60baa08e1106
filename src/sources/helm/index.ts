export {
  HelmReleaseStatuses,
  HelmStorageKinds,
  decodeHelmRelease,
  encodeHelmRelease,
  helmStorageName,
} from "./codec.js";
export type { HelmHook, HelmReleaseRecord, HelmReleaseStatus, HelmStorageKind } from "./codec.js";
export type { HelmSpec, ReleaseStore } from "./releases.js";
export { isHelmReleaseStorage, loadHelmReleases } from "./releases.js";
export type { RenderOptions } from "./template.js";
export { renderHelmChart } from "./template.js";
