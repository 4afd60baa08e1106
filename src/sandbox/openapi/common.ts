/** What the v2 and v3 documents share besides paths and definitions. */

/** Both documents declare the bearer-token authentication every request needs. */
export const bearerTokenScheme = {
  type: "apiKey",
  description: "Bearer Token authentication",
  name: "authorization",
  in: "header",
} as const;

export const responseMediaTypes = ["application/json", "application/yaml"] as const;

export const info = { title: "Kubernetes", version: "v1.32.0" } as const;
