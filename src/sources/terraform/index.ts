export type { TerraformSpec } from "./load.js";
export { loadTerraform } from "./load.js";
