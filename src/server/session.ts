/**
 * The dashboard's sessions: the login form trades the UI token for a random session id in an
 * HttpOnly, SameSite=Strict cookie, which a page's EventSource sends (it cannot set headers) and
 * scripts cannot read. Each session has its own CSRF token for write actions (OWASP's
 * synchronizer-token pattern). Sessions live in memory: a restart logs everyone out.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const sessionCookieName = "kubedrift_session";

export interface Session {
  readonly id: string;
  /** Sent back in `X-CSRF-Token` by the page's write requests. */
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface SessionOptions {
  readonly token: string;
  readonly now: () => number;
  /** How long a session lasts (12 hours unless told). */
  readonly lifetimeMs?: number;
  readonly random?: (bytes: number) => string;
}

/** Constant-time equality of two texts (a token, a CSRF token). */
export function sameText(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A cookie's value from a Cookie header (RFC 6265 §5.4: `name=value; name2=value2`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const equals = part.indexOf("=");
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #options: Required<SessionOptions>;

  constructor(options: SessionOptions) {
    this.#options = {
      lifetimeMs: 12 * 60 * 60 * 1000,
      random: (bytes) => randomBytes(bytes).toString("base64url"),
      ...options,
    };
  }

  /** A new session for the right token; undefined for any other. */
  login(given: string): Session | undefined {
    if (!sameText(given.trim(), this.#options.token)) return undefined;
    this.#forgetExpired();
    const session = {
      id: this.#options.random(32),
      csrf: this.#options.random(32),
      expiresAt: this.#options.now() + this.#options.lifetimeMs,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The session a Cookie header names, while it lasts. */
  fromCookie(header: string | undefined): Session | undefined {
    const id = cookieValue(header, sessionCookieName);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (session === undefined || session.expiresAt <= this.#options.now()) return undefined;
    return session;
  }

  logout(header: string | undefined): void {
    const id = cookieValue(header, sessionCookieName);
    if (id !== undefined) this.#sessions.delete(id);
  }

  /** `Set-Cookie` for a session; `secure` when served over HTTPS. */
  cookie(session: Session, secure: boolean): string {
    const maxAge = Math.max(0, Math.floor((session.expiresAt - this.#options.now()) / 1000));
    return `${sessionCookieName}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
  }

  #forgetExpired(): void {
    const now = this.#options.now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
