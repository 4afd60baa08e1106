import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ObjectRef } from "../model/index.js";
import type { RedactionConfig } from "./redact.js";
import {
  holdsWithheld,
  isWithheld,
  redactValue,
  redactionHash,
  scrubText,
  withheldMarker,
  withheldTexts,
} from "./redact.js";

const key = "0123456789abcdef0123456789abcdef";
const otherKey = "fedcba9876543210fedcba9876543210";
const secretRef: ObjectRef = { group: "", version: "v1", kind: "Secret", namespace: "shop", name: "db" };
const configMapRef: ObjectRef = { ...secretRef, kind: "ConfigMap", name: "credentials" };
const config: RedactionConfig = {
  redact: [{ path: "/data/password", kinds: ["ConfigMap"] }],
  redactionKey: key,
};

describe("the redaction hash", () => {
  it("is an HMAC-SHA-256 of 16 hex digits: stable for a key, different across keys", () => {
    const hash = redactionHash(key, "493817", false);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(redactionHash(key, "493817", false)).toBe(hash);
    expect(redactionHash(otherKey, "493817", false)).not.toBe(hash);
    expect(redactionHash(key, "493818", false)).not.toBe(hash);
  });

  it("is not the old fixed-salt SHA-256 prefix, which a PIN search reverses", () => {
    const old = createHash("sha256").update("kubedrift").update("493817").digest("hex").slice(0, 8);
    expect(redactionHash(key, "493817", false).startsWith(old)).toBe(false);
    expect(redactionHash("kubedrift", "493817", false).startsWith(old)).toBe(false);
  });

  it("hashes Secret data decoded, so stringData and data agree; numbers apart from strings", () => {
    expect(redactionHash(key, Buffer.from("s3cret").toString("base64"), true)).toBe(
      redactionHash(key, "s3cret", false),
    );
    expect(redactionHash(key, 5, false)).not.toBe(redactionHash(key, "5", false));
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
      data: { user: "app", password: `(redacted ${redactionHash(key, "493817", false)})` },
    });
    expect(redactValue(config, configMapRef, { user: "app", password: "493817" }, "/data")).toEqual({
      user: "app",
      password: `(redacted ${redactionHash(key, "493817", false)})`,
    });
    // A JSON patch `test` value at its own path.
    expect(redactValue(config, configMapRef, "493817", "/data/password")).toBe(
      `(redacted ${redactionHash(key, "493817", false)})`,
    );
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
