export type { KeyField, Path, PathElement, PointerOptions } from "./element.js";
export {
  compareElements,
  displayPath,
  fieldElement,
  fieldPath,
  indexElement,
  keyElement,
  parseElement,
  pathToJsonPointer,
  serializeElement,
  valueElement,
} from "./element.js";
export { FieldSet, FieldSetBuilder } from "./set.js";
export { decodeFieldsV1, encodeFieldsV1 } from "./fieldsv1.js";
export type { Atom, Comparison, FieldSetOptions } from "./typed.js";
export { TypedValueError, compareObjects, ensureNamedFieldsAreMembers, fieldSetOfObject } from "./typed.js";
export { mergeObjects, removeItems, valueAtPath } from "./merge.js";
