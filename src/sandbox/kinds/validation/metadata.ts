import type { StatusCause } from "../../api/status.js";
import type { JsonObject, JsonValue } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";
import { invalid, required, tooLong } from "./field.js";
import type { NameValidator } from "./names.js";
import { isQualifiedName, isValidLabelValue } from "./names.js";
import { metadataOf } from "../../../kube/object.js";

/** apimachinery's TotalAnnotationSizeLimitB: 256 KiB over all keys and values. */
const totalAnnotationSizeLimit = 256 * 1024;

export function validateName(name: JsonValue | undefined, validator: NameValidator): readonly StatusCause[] {
  if (typeof name !== "string" || name === "") {
    return [required("metadata.name", "name or generateName is required")];
  }
  return validator(name).map((message) => invalid("metadata.name", name, message));
}

/** ValidateLabels: each bad key, then each bad value, reported against the whole map's path. */
export function validateLabels(labels: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (!isJsonObject(labels)) return [];
  return Object.keys(labels)
    .sort()
    .flatMap((labelKey) => {
      const value = labels[labelKey];
      const keyErrors = isQualifiedName(labelKey).map((message) => invalid(path, labelKey, message));
      const valueErrors =
        typeof value === "string"
          ? isValidLabelValue(value).map((message) => invalid(path, value, message))
          : [];
      return [...keyErrors, ...valueErrors];
    });
}

export function validateAnnotations(
  annotations: JsonValue | undefined,
  path: string,
): readonly StatusCause[] {
  if (!isJsonObject(annotations)) return [];
  let totalSize = 0;
  const keyErrors = Object.keys(annotations)
    .sort()
    .flatMap((annotationKey) => {
      const value = annotations[annotationKey];
      totalSize += annotationKey.length + (typeof value === "string" ? value.length : 0);
      // Annotation keys are checked case-insensitively (ValidateAnnotations lower-cases them).
      return isQualifiedName(annotationKey.toLowerCase()).map((message) =>
        invalid(path, annotationKey, message),
      );
    });
  return totalSize > totalAnnotationSizeLimit
    ? [...keyErrors, tooLong(path, totalAnnotationSizeLimit)]
    : keyErrors;
}

/** ValidateObjectMeta's checks that depend on the object alone (namespace and generateName belong to the server). */
export function validateObjectMeta(object: JsonObject, nameValidator: NameValidator): readonly StatusCause[] {
  const metadata = metadataOf(object);
  return [
    ...validateName(metadata["name"], nameValidator),
    ...validateLabels(metadata["labels"], "metadata.labels"),
    ...validateAnnotations(metadata["annotations"], "metadata.annotations"),
  ];
}
