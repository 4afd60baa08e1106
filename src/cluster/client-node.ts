/**
 * The parts of @kubernetes/client-node that kubedrift uses: kubeconfig loading and its request
 * machinery (TLS, credentials, fetch). Every import of the library goes through this module so
 * that `npm run build` can replace its compiled form with one tree-shaken bundle of these parts
 * (scripts/bundle-client.ts): the package's index loads some 870 modules, its generated API
 * clients and models included, which cost every run about 0.4 s before its first request.
 */
export { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from "@kubernetes/client-node";
export type { Cluster, Context, ResponseContext, User } from "@kubernetes/client-node";
