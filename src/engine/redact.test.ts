import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RedactionConfig } from "./redact.js";
import { holdsWithheld, isWithheld, redactValue, redactionHash, scrubText, withheldTexts } from "./redact.js";
import type { ObjectRef } from "../kube/object.js";
import { withheldMarker } from "../model/index.js";

const key = "0123456789abcdef0123456789abcdef";
const otherKey = "fedcba9876543210fedcba9876543210";
const secretRef: ObjectRef = { group: "", version: "v1", kind: "Secret", namespace: "shop", name: "db" };
const configMapRef: ObjectRef = { ...secretRef, kind: "ConfigMap", name: "credentials" };
const config: RedactionConfig = {
  redact: [{ path: "/data/password", kinds: ["ConfigMap"] }],
  redactionKey: key,
};

/*
 * Written-out hashes, computed once outside this code base with OpenSSL, not with the function
 * under test (so a hash that ignored the key, the value or the base64 flag, or returned a constant,
 * would fail):
 *   printf '%s' 493817 | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef -r | cut -c1-16
 * and for non-strings the NUL-prefixed JSON: printf '\0%s' 5 | openssl dgst -sha256 -hmac … .
 */
const expected = {
  pin: "2c5cafc49850e30d", // "493817" under `key`
  pinOtherKey: "4bb77f198850b5e8", // "493817" under `otherKey`
  nextPin: "bb99c89802e5b960", // "493818" under `key`
  secret: "83930f25e67c4250", // "s3cret" under `key`
  numberFive: "080af6d0f74ded76", // the number 5: "\u00005" under `key`
  stringFive: "4afebc3e3a28b434", // the string "5" under `key`
};

describe("the redaction hash", () => {
  it("is the first 16 hex digits of HMAC-SHA-256(key, value), as OpenSSL computes it", () => {
    expect(redactionHash(key, "493817", false)).toBe(expected.pin);
    expect(redactionHash(key, "493818", false)).toBe(expected.nextPin);
    expect(redactionHash(key, "s3cret", false)).toBe(expected.secret);
  });

  it("depends on the key: another key gives another written-out value", () => {
    expect(redactionHash(otherKey, "493817", false)).toBe(expected.pinOtherKey);
    expect(expected.pinOtherKey).not.toBe(expected.pin);
  });

  it("is not the old fixed-salt SHA-256 prefix, which a PIN search reverses", () => {
    const old = createHash("sha256").update("kubedrift").update("493817").digest("hex").slice(0, 8);
    expect(redactionHash(key, "493817", false).startsWith(old)).toBe(false);
    expect(redactionHash("kubedrift", "493817", false).startsWith(old)).toBe(false);
  });

  it("hashes Secret data decoded, so stringData and data agree; numbers apart from strings", () => {
    expect(redactionHash(key, Buffer.from("s3cret").toString("base64"), true)).toBe(expected.secret);
    expect(redactionHash(key, 5, false)).toBe(expected.numberFive);
    expect(redactionHash(key, "5", false)).toBe(expected.stringFive);
  });
});

describe("withholding values", () => {
  it("covers Secret data and stringData, and the paths of redact rules in their scope", () => {
    expect(isWithheld(config, secretRef, "/data/token")).toBe(true);
    expect(isWithheld(config, secretRef, "/stringData")).toBe(true);
    expect(isWithheld(config, secretRef, "/metadata/name")).toBe(false);
    expect(isWithheld(config, configMapRef, "/data/password")).toBe(true);
    expect(isWithheld(config, configMapRef, "/data/user")).toBe(false);
    expect(isWithheld(config, { ...configMapRef, kind: "Deployment" }, "/data/password")).toBe(false);
  });

  it("replaces each withheld value by its keyed hash, keeping keys and everything else", () => {
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "credentials" },
      data: { user: "app", password: "493817" },
    };
    expect(redactValue(config, configMapRef, configMap)).toEqual({
      ...configMap,
      data: { user: "app", password: `(redacted ${expected.pin})` },
    });
    expect(redactValue(config, configMapRef, { user: "app", password: "493817" }, "/data")).toEqual({
      user: "app",
      password: `(redacted ${expected.pin})`,
    });
    // A JSON patch `test` value at its own path.
    expect(redactValue(config, configMapRef, "493817", "/data/password")).toBe(`(redacted ${expected.pin})`);
  });

  it("hides every Secret value, base64 data hashed decoded, and without a key shows no hash", () => {
    const secret = { kind: "Secret", data: { token: "c2VjcmV0" }, stringData: { password: "secret" } };
    const shown = redactValue(config, secretRef, secret) as typeof secret;
    expect(shown.data.token).toBe(shown.stringData.password);
    expect(redactValue({ redact: [] }, secretRef, secret)).toEqual({
      kind: "Secret",
      data: { token: "(value hidden)" },
      stringData: { password: "(value hidden)" },
    });
    expect(withheldMarker(undefined)).toBe("(value hidden)");
  });

  it("tells whether a value holds a withheld value below its path", () => {
    expect(holdsWithheld(config, configMapRef, { user: "app", password: "x" }, "/data")).toBe(true);
    expect(holdsWithheld(config, configMapRef, { user: "app" }, "/data")).toBe(false);
    expect(holdsWithheld(config, configMapRef, "app", "/data/user")).toBe(false);
  });
});

describe("scrubbing free text", () => {
  it("removes withheld values quoted in messages, as whole words only", () => {
    const texts = withheldTexts(config, configMapRef, { data: { user: "on", password: "493817" } });
    expect(texts).toEqual(["493817"]);
    expect(scrubText('data.password: Invalid value: "493817": too short; 4938170 stays', texts)).toBe(
      'data.password: Invalid value: "(value hidden)": too short; 4938170 stays',
    );
  });

  it("knows a Secret's values in all their spellings: base64, decoded, JSON-escaped, line by line", () => {
    const certificate = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\n-----END KEY-----";
    const texts = withheldTexts(config, secretRef, {
      data: {
        pin: Buffer.from("493817").toString("base64"),
        raw: Buffer.from([0, 255, 1]).toString("base64"),
      },
      stringData: { key: certificate },
    });
    expect(texts).toContain("NDkzODE3");
    expect(texts).toContain("493817");
    expect(texts).toContain("MIIBOgIBAAJBAKj34");
    expect(texts).toContain(JSON.stringify(certificate).slice(1, -1));
    expect(scrubText("  key: |\n    MIIBOgIBAAJBAKj34\n  pin: NDkzODE3", texts)).toBe(
      "  key: |\n    (value hidden)\n  pin: (value hidden)",
    );
    expect(scrubText("nothing to hide", [])).toBe("nothing to hide");
  });
});
