export type { AdmissionOutcome, WebhookAdmission, WebhookAdmissionOptions } from "./dispatcher.js";
export { createWebhookAdmission } from "./dispatcher.js";
