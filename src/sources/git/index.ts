export type { GitCheckout } from "./checkout.js";
export { checkoutRef } from "./checkout.js";
export type { BlameOptions } from "./blame.js";
export { blameLine } from "./blame.js";
export type { GitOptions } from "./run.js";
