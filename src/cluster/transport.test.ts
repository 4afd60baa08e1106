import { describe, expect, it } from "vitest";
import { describeNetworkError } from "./transport.js";

/** undici's shape: `TypeError: fetch failed` with the socket's error as its cause. */
function fetchFailed(cause: Error): Error {
  return new TypeError("fetch failed", { cause });
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const server = "https://api.example.test:6443";

describe("network errors in one line, with the endpoint", () => {
  it("says what happened to the connection", () => {
    expect(
      describeNetworkError(fetchFailed(withCode("connect ECONNREFUSED", "ECONNREFUSED")), server, 30_000),
    ).toBe(`cannot reach ${server}: connection refused`);
    const everyAddress = new AggregateError([withCode("a", "ECONNREFUSED"), withCode("b", "ECONNREFUSED")]);
    expect(describeNetworkError(fetchFailed(everyAddress), server, 30_000)).toBe(
      `cannot reach ${server}: connection refused`,
    );
    expect(describeNetworkError(fetchFailed(withCode("getaddrinfo", "ENOTFOUND")), server, 30_000)).toBe(
      `cannot reach ${server}: DNS lookup of api.example.test failed: no such host`,
    );
    expect(describeNetworkError(fetchFailed(new Error("bad port")), "https://10.0.0.1:6000", 30_000)).toBe(
      'cannot reach https://10.0.0.1:6000: port 6000 is blocked by Node\'s fetch (a "bad port" of the Fetch standard)',
    );
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), {
      name: "TimeoutError",
    });
    expect(describeNetworkError(timeout, server, 1_500)).toBe(`timed out after 1.5s waiting for ${server}`);
  });

  it("says what is wrong with TLS in words, not OpenSSL's lines", () => {
    const notTls = withCode(
      "40BD412EAF7F0000:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:\n",
      "ERR_SSL_WRONG_VERSION_NUMBER",
    );
    expect(describeNetworkError(fetchFailed(notTls), server, 30_000)).toBe(
      `TLS handshake with ${server} failed: the server does not speak TLS (is it plain HTTP?)`,
    );
    const other = withCode(
      "40BD412EAF7F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../deps/openssl/ssl/record/rec_layer_s3.c:916:\n",
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    );
    expect(describeNetworkError(fetchFailed(other), server, 30_000)).toBe(
      `TLS handshake with ${server} failed: sslv3 alert handshake failure (ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE)`,
    );
    expect(
      describeNetworkError(
        fetchFailed(withCode("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN")),
        server,
        30_000,
      ),
    ).toBe(`TLS handshake with ${server} failed: certificate signed by unknown authority`);
    const mismatch = withCode(
      "Hostname/IP does not match certificate's altnames: Host: api.example.test. is not in the cert's altnames: DNS:localhost",
      "ERR_TLS_CERT_ALTNAME_INVALID",
    );
    expect(describeNetworkError(fetchFailed(mismatch), server, 30_000)).toBe(
      `TLS handshake with ${server} failed: certificate name mismatch: it is not valid for "api.example.test" (it is for DNS:localhost)`,
    );
  });
});
