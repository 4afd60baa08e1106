import type { KubeObject } from "../../kube/value/json.js";
import type { UserInfo } from "./user.js";

/** authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): the requester as authenticated. */
export function selfSubjectReview(user: UserInfo): KubeObject {
  return {
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null },
    status: {
      userInfo: {
        username: user.username,
        ...(user.uid === "" ? {} : { uid: user.uid }),
        groups: [...user.groups],
        ...(user.extra === undefined
          ? {}
          : {
              extra: Object.fromEntries(
                Object.entries(user.extra).map(([key, values]) => [key, [...values]]),
              ),
            }),
      },
    },
  };
}
