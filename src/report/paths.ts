/*
 * The readable notation of field paths lives in kube (src/kube/fieldpath/readable.ts), where the
 * plan and apply renderers, which may not import the report, find it too: one notation everywhere.
 */
export { readableFieldPath, readablePath } from "../kube/fieldpath/readable.js";
