// A small API client for tests: keeps the session cookie and CSRF token.
export class Client {
  constructor(baseUrl) {
    this.base = baseUrl;
    this.cookie = null;
    this.csrf = null;
    this.user = null;
  }

  /** Send a request; body objects are JSON-encoded. Returns { status, headers, json, text }. */
  async req(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof Uint8Array || Buffer.isBuffer(body)) payload = body;
      else payload = JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) {
      const m = /fq_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `fq_session=${m[1]}` : null;
    }
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, headers: r.headers, json, text };
  }

  get(path, headers) { return this.req('GET', path, undefined, headers); }
  post(path, body, headers) { return this.req('POST', path, body, headers); }
  patch(path, body, headers) { return this.req('PATCH', path, body, headers); }
  put(path, body, headers) { return this.req('PUT', path, body, headers); }
  del(path, headers) { return this.req('DELETE', path, undefined, headers); }

  async login(username, password) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status === 200) {
      this.csrf = r.json.csrf_token;
      this.user = r.json.user;
    }
    return r;
  }
}

/** Log in as a demo login ({username, password}) and return the client; throws on failure. */
export async function loginAs(srv, who) {
  const c = new Client(srv.url);
  const r = await c.login(who.username, who.password);
  if (r.status !== 200) throw new Error(`login ${who.username} failed: ${r.status} ${r.text}`);
  return c;
}
