export type { ApplyResult, FieldManagerContext, FieldManagerRequest, Subresource } from "./fieldmanager.js";
export { applyConfiguration, conflictError, resetFieldsFor, updateManagedFields } from "./fieldmanager.js";
export type { ManagedFields, ManagerEntry, Operation } from "../../kube/fieldpath/managed.js";
export {
  Operations,
  decodeManagedFields,
  encodeManagedFields,
  managerIdentifier,
} from "../../kube/fieldpath/managed.js";
export { fieldManagerCauses, managerFromUserAgent, validateFieldManager } from "./useragent.js";
export { zeroObject } from "./zero.js";
