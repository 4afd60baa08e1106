import { describe, expect, it } from "vitest";
import { causeChain, describeNetworkError, shownHeaders } from "./transport.js";

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

describe("what -v and --debug show of a request", () => {
  it("the cause of a request with no answer, every level, with the address", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 6443,
    });
    expect(causeChain(fetchFailed(refused))).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:6443");
    const eyeballs = new AggregateError([withCode("connect ETIMEDOUT 10.0.0.1:443", "ETIMEDOUT")], "");
    expect(causeChain(fetchFailed(eyeballs))).toBe("fetch failed: connect ETIMEDOUT 10.0.0.1:443");
    expect(causeChain(withCode("getaddrinfo ENOTFOUND api.example.test", "ENOTFOUND"))).toBe(
      "getaddrinfo ENOTFOUND api.example.test",
    );
    expect(causeChain(withCode("socket hang up", "ECONNRESET"))).toBe("socket hang up (ECONNRESET)");
  });

  it("headers with the credentials masked, the scheme kept", () => {
    expect(
      shownHeaders({
        Authorization: "Bearer abc.def.ghi",
        Accept: "application/json",
        "Proxy-Authorization": "Basic dXNlcjpwYXNz",
        Cookie: "session=secret",
      }),
    ).toBe(
      "Authorization: Bearer <masked>, Accept: application/json, Proxy-Authorization: Basic <masked>, Cookie: <masked>",
    );
  });
});
