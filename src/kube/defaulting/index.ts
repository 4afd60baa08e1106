/**
 * kube-apiserver 1.32 defaulting: what decoding a write adds to an object (SetDefaults_* of
 * pkg/apis/…/v1/defaults.go, the v1 conversion's field syncing, CRD structural-schema defaults).
 * Pure: an object in, the defaulted object out. The sandbox applies it on every write; the
 * engine can consult it to tell a defaulted value from drift. What needs the cluster's state
 * (allocation of cluster IPs and node ports, admission, initial status) is not defaulting and
 * stays with the server.
 */
export { defaultObject, hasBuiltinDefaults } from "./default-object.js";
export { applyStructuralDefaults, defaultCustomResource, type JsonSchema } from "./structural.js";
export { omittedZeroFields } from "./omitted-zero.js";
export { withoutOmittedZeros } from "./without-omitted-zeros.js";
