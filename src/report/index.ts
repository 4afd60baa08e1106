export { reportDocument } from "./document.js";
export type {
  DocumentDrift,
  DocumentHelmOrigin,
  DocumentResource,
  DocumentSkipped,
  ReportDocument,
} from "./document.js";
export { sarifLog } from "./sarif.js";
export type { SarifLog, SarifResult, SarifRule } from "./sarif.js";
export { renderJunit } from "./junit.js";
export type { ObjectsByRef, ResourceObjects } from "./drift-lines.js";
export { formatAge } from "./age.js";
export { readablePath } from "./paths.js";
export { hasDrift, summaryLine } from "./summary.js";
export type { ReportFormat, RenderOptions } from "./render.js";
export { ReportFormats, isReportFormat, renderReport } from "./render.js";
