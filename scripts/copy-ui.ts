/**
 * `npm run build`'s last step: the dashboard's page and stylesheet beside its compiled script in
 * dist/server/ui (tsc compiles src/server/ui/*.ts there but copies nothing else). ADR 0022.
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";

const from = new URL("../src/server/ui/", import.meta.url);
const to = new URL("../dist/server/ui/", import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from))
  if (/\.(html|css|svg)$/.test(name)) copyFileSync(new URL(name, from), new URL(name, to));
