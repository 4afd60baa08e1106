export type {
  AdmissionOutcome,
  AuditAnnotations,
  WebhookAdmission,
  WebhookAdmissionOptions,
} from "./dispatcher.js";
export { createWebhookAdmission } from "./dispatcher.js";
