import { describe, expect, it } from "vitest";
import { exposureWarning } from "./exposure.js";

describe("exposureWarning", () => {
  it("is silent for loopback addresses and speaks for any other", () => {
    const silent = ["127.0.0.1", "127.1.2.3", "localhost", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"];
    for (const host of silent) expect([host, exposureWarning(host)]).toEqual([host, undefined]);
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "sandbox.example.com", "::ffff:10.0.0.1"]) {
      expect(exposureWarning(host)).toBe(
        `warning: --host ${host} is not a loopback address: the sandbox's API is reachable from other machines, and its token gives full access`,
      );
    }
  });
});
