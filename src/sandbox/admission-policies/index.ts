export { chainAdmission, createPolicyAdmission } from "./dispatcher.js";
