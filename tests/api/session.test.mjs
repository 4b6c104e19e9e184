// Sessions: login/logout, cookie and CSRF, password change, sessions ended by
// disabling or moving a user, same answer for unknown user and wrong password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, loginFrom, clientFor, median, waitFor, accessLog, stopAndCheck, httpReq } from './helpers.mjs';

const PW = 'Maple-Bridge-7741';
let srv;
let admin;

async function createUser(username, roles = ['operator'], unit = '339902510000', password = PW) {
  const r = await admin.post('/api/v1/users', { username, display_name: `测试${username}`, password, roles, unit });
  assert.equal(r.status, 201, r.text);
  return r.json.user;
}

before(async () => {
  srv = await startServer({ demo: true });
  admin = await loginAs(srv, who(srv, 'admin'));
});

after(async () => {
  if (srv) await srv.cleanup();
});

test('login answers the user, a CSRF token and an HttpOnly SameSite=Strict cookie', async () => {
  const chief = who(srv, 'chief');
  const t0 = Date.now();
  const r = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: chief.username, password: chief.password }),
  });
  const body = await r.json();
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const cookie = r.headers.get('set-cookie');
  assert.ok(cookie, 'no Set-Cookie');
  const parts = cookie.split(';').map((s) => s.trim());
  const m = /^fq_session=([A-Za-z0-9_-]+)$/.exec(parts[0]);
  assert.ok(m, `cookie value: ${parts[0]}`);
  assert.equal(m[1].length, 43, '256-bit token, base64url without padding');
  assert.ok(parts.includes('HttpOnly'), cookie);
  assert.ok(parts.includes('SameSite=Strict'), cookie);
  assert.ok(parts.includes('Path=/'), cookie);
  const maxAge = parts.find((p) => p.startsWith('Max-Age='));
  assert.ok(maxAge && Number(maxAge.slice(8)) > 0 && Number(maxAge.slice(8)) <= 12 * 3600, cookie);
  assert.match(body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(body.csrf_token, m[1], 'CSRF token must differ from the session token');
  assert.equal(body.user.username, 'chief');
  assert.deepEqual(body.user.roles, ['chief']);
  assert.equal(body.user.unit.code, '339902510000');
  assert.equal(body.user.disabled, false);
  assert.equal(body.idle_timeout_s, 1800);
  const exp = Date.parse(body.expires_at);
  assert.ok(Math.abs(exp - (t0 + 12 * 3600 * 1000)) < 60 * 1000, `expires_at ${body.expires_at} is not login + 12 h`);
  assert.doesNotMatch(JSON.stringify(body), /password|hash/i, 'session answer must not carry password material');
  // A second login gives a different token.
  const c2 = new Client(srv.url);
  await c2.login(chief.username, chief.password);
  assert.notEqual(c2.cookie, `fq_session=${m[1]}`);
});

test('GET /api/v1/session answers the current user; without a valid cookie 401', async () => {
  const c = await loginAs(srv, who(srv, 'operator'));
  const r = await c.get('/api/v1/session');
  assert.equal(r.status, 200);
  assert.equal(r.json.user.username, 'operator');
  assert.deepEqual(r.json.user.roles, ['operator']);
  assert.equal(r.json.csrf_token, c.csrf);

  assertError(await new Client(srv.url).get('/api/v1/session'), 401, 'unauthenticated');
  const bogus = new Client(srv.url);
  bogus.cookie = 'fq_session=' + 'A'.repeat(43);
  assertError(await bogus.get('/api/v1/session'), 401, 'unauthenticated');
  bogus.cookie = 'fq_session=short';
  assertError(await bogus.get('/api/v1/session'), 401, 'unauthenticated');
});

test('DELETE /api/v1/session logs out: cookie cleared, the old token is refused', async () => {
  const c = await loginAs(srv, who(srv, 'community'));
  const other = await loginAs(srv, who(srv, 'community'));
  const oldCookie = c.cookie;
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { ok: true });
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /^fq_session=;/);
  assert.match(sc, /Max-Age=0/);
  const stale = new Client(srv.url);
  stale.cookie = oldCookie;
  assertError(await stale.get('/api/v1/session'), 401, 'unauthenticated');
  assertError(await stale.del('/api/v1/session', { 'X-CSRF-Token': c.csrf }), 401, 'unauthenticated');
  // Another session of the same user is untouched.
  assert.equal((await other.get('/api/v1/session')).status, 200);
});

test('CSRF: writes without X-CSRF-Token, with a wrong one, or with another session\'s are refused', async () => {
  const a = await loginAs(srv, who(srv, 'admin'));
  const b = await loginAs(srv, who(srv, 'chief'));
  const body = { username: 'csrfvictim', display_name: '某', password: PW, roles: ['operator'], unit: '339902510000' };
  const cases = [
    ['POST', '/api/v1/users', body, {}],
    ['POST', '/api/v1/users', body, { 'X-CSRF-Token': '' }],
    ['POST', '/api/v1/users', body, { 'X-CSRF-Token': 'x'.repeat(43) }],
    ['POST', '/api/v1/users', body, { 'X-CSRF-Token': b.csrf }],
    ['POST', '/api/v1/users', body, { 'X-CSRF-Token': a.csrf.slice(0, 42) }],
    ['PATCH', `/api/v1/users/${a.user.id}`, { display_name: 'x', version: 1 }, {}],
    ['PUT', '/api/v1/session/password', { current_password: 'a', new_password: 'b' }, {}],
    ['DELETE', '/api/v1/session', undefined, {}],
    ['DELETE', '/api/v1/session', undefined, { 'X-CSRF-Token': 'nope' }],
  ];
  for (const [method, path, b2, headers] of cases) {
    const h = { ...headers };
    const c = new Client(srv.url);
    c.cookie = a.cookie; // session cookie, but CSRF header only as given
    const r = await c.req(method, path, b2, h);
    assertError(r, 403, 'csrf_failed');
  }
  // Nothing was written, and the session still works.
  const list = await a.get('/api/v1/users?q=csrfvictim');
  assert.equal(list.json.total, 0);
  assert.equal((await a.get('/api/v1/session')).status, 200);
  // GET needs no token; login needs none either (there is no session yet).
  const c = new Client(srv.url);
  c.cookie = a.cookie;
  assert.equal((await c.get('/api/v1/users?per_page=1')).status, 200);
});

test('wrong password and unknown user: same status, code and message, similar timing', async () => {
  const u = await createUser('timinguser');
  // From 127.0.0.3 and 127.0.0.7 (six failures each, under the per-address
  // limit of ten), so that these failures do not throttle the other tests' logins.
  const known = [];
  const unknown = [];
  let first;
  for (let i = 0; i < 6; i++) {
    const a = await loginFrom(srv.url, '127.0.0.3', u.username, 'Wrong-password-' + i);
    const b = await loginFrom(srv.url, '127.0.0.7', 'nosuchuser' + i, 'Wrong-password-' + i);
    for (const r of [a, b]) {
      assert.equal(r.status, 401, r.text);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.json.error.code, 'invalid_credentials');
      assert.equal(r.headers['set-cookie'], undefined);
    }
    first = first || a.text;
    assert.equal(a.text, first, 'every failed login answers the same bytes');
    assert.equal(b.text, first, 'unknown user answers exactly like a wrong password');
    known.push(a.ms);
    unknown.push(b.ms);
  }
  // The same round trip without a password hash: a health check.
  const plain = [];
  for (let i = 0; i < 6; i++) {
    const t0 = process.hrtime.bigint();
    const r = await httpReq(srv.url, 'GET', '/api/v1/health', { localAddress: '127.0.0.9' });
    plain.push(Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(r.status, 200);
  }
  const mk = median(known);
  const mu = median(unknown);
  const mp = median(plain);
  if (process.env.FQ_TEST_VERBOSE) console.log(`login failure medians: wrong password ${mk} ms, unknown user ${mu} ms, health ${mp} ms`);
  // Both pay for an argon2id verification (≥ 19 MiB, 2 passes): several milliseconds on any
  // machine (14 ms on a fast one, 25 ms on a slow one), many times a request that hashes nothing.
  assert.ok(mk > 5 * mp && mk > 3, `wrong-password login took only ${mk} ms (health ${mp} ms)`);
  assert.ok(mu > 5 * mp && mu > 3, `unknown-user login took only ${mu} ms (health ${mp} ms)`);
  assert.ok(mu / mk > 0.5 && mu / mk < 2, `timing differs: wrong password ${mk} ms, unknown user ${mu} ms`);
});

test('PUT /api/v1/session/password changes the password and ends the sessions', async () => {
  const u = await createUser('pwchanger');
  const c = await clientFor(srv, u.username, PW);
  const other = await clientFor(srv, u.username, PW);
  assertError(await c.put('/api/v1/session/password', { current_password: 'Not-the-password-1', new_password: 'Another-Good-Secret-9' }), 400, 'wrong_password', 'current_password');
  assertError(await c.put('/api/v1/session/password', { current_password: PW }), 400, 'missing_field', 'new_password');
  assertError(await c.put('/api/v1/session/password', { current_password: PW, new_password: 'Another-Good-Secret-9', extra: 1 }), 400, 'unknown_field', 'extra');
  assertError(await c.put('/api/v1/session/password', { current_password: PW, new_password: 12345 }), 400, 'invalid_type', 'new_password');
  // Still logged in after refused attempts.
  assert.equal((await c.get('/api/v1/session')).status, 200);
  const NEW = 'Another-Good-Secret-9';
  const r = await c.put('/api/v1/session/password', { current_password: PW, new_password: NEW });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true);
  assert.match(r.headers.get('set-cookie') || '', /^fq_session=;.*Max-Age=0/);
  const stale = new Client(srv.url);
  stale.cookie = other.cookie;
  assertError(await stale.get('/api/v1/session'), 401, 'unauthenticated');
  assertError(await new Client(srv.url).login(u.username, PW), 401, 'invalid_credentials');
  assert.equal((await new Client(srv.url).login(u.username, NEW)).status, 200);
});

test('PUT /api/v1/session/password: a weak new password is refused naming new_password', async () => {
  const u = await createUser('pwweak');
  const c = await clientFor(srv, u.username, PW);
  const short = await c.put('/api/v1/session/password', { current_password: PW, new_password: 'short-1' });
  assertError(short, 400, 'password_too_short', 'new_password');
  const common = await c.put('/api/v1/session/password', { current_password: PW, new_password: 'password1234' });
  assertError(common, 400, 'password_common', 'new_password');
  const withName = await c.put('/api/v1/session/password', { current_password: PW, new_password: 'xx-pwweak-2024-yy' });
  assertError(withName, 400, 'password_contains_username', 'new_password');
  // The old password still works: nothing was changed.
  assert.equal((await c.get('/api/v1/session')).status, 200);
});

test('disabling a user with the CLI while the server runs ends their session within 2 s', async () => {
  const u = await createUser('disableme');
  const c = await clientFor(srv, u.username, PW);
  assert.equal((await c.get('/api/v1/session')).status, 200);
  const { stdout } = await fq(['user', 'disable', '--db', srv.db, '--username', u.username]);
  assert.match(stdout, /user\.disable: disableme/);
  let last;
  const ms = await waitFor(async () => {
    last = await c.get('/api/v1/session');
    return last.status === 401;
  }, 3000, 50);
  assert.ok(ms >= 0 && ms <= 2500, `session still valid ${ms < 0 ? '> 3000' : ms} ms after disable: ${last.status}`);
  assertError(last, 401, 'unauthenticated');
  // The right password no longer logs in — with the usual answer.
  assertError(await new Client(srv.url).login(u.username, PW), 401, 'invalid_credentials');
  await fq(['user', 'enable', '--db', srv.db, '--username', u.username]);
  assert.equal((await new Client(srv.url).login(u.username, PW)).status, 200);
});

test('disabling a user via PATCH ends their session at once', async () => {
  const u = await createUser('disableapi');
  const c = await clientFor(srv, u.username, PW);
  const r = await admin.patch(`/api/v1/users/${u.id}`, { disabled: true, version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.disabled, true);
  assertError(await c.get('/api/v1/session'), 401, 'unauthenticated');
});

test('moving a user to another unit via PATCH ends their sessions', async () => {
  const u = await createUser('mover');
  const c1 = await clientFor(srv, u.username, PW);
  const c2 = await clientFor(srv, u.username, PW);
  assert.equal((await c1.get('/api/v1/units/339902510000')).status, 200);
  const r = await admin.patch(`/api/v1/users/${u.id}`, { unit: '339902520000', version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.unit.code, '339902520000');
  assert.equal(r.json.user.version, u.version + 1);
  assertError(await c1.get('/api/v1/units/339902510000'), 401, 'unauthenticated');
  assertError(await c2.get('/api/v1/session'), 401, 'unauthenticated');
  // Logging in again gives the new scope.
  const c3 = await clientFor(srv, u.username, PW);
  assert.equal((await c3.get('/api/v1/units/339902520000')).status, 200);
  assertError(await c3.get('/api/v1/units/339902510000'), 404, 'not_found');
});

test('a role change applies to the open session at once', async () => {
  const u = await createUser('roler', ['volunteer']);
  const c = await clientFor(srv, u.username, PW);
  assertError(await c.get('/api/v1/users'), 403, 'forbidden');
  let r = await admin.patch(`/api/v1/users/${u.id}`, { roles: ['chief'], version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.get('/api/v1/users')).status, 200);
  r = await admin.patch(`/api/v1/users/${u.id}`, { roles: ['volunteer'], version: r.json.user.version });
  assert.equal(r.status, 200, r.text);
  assertError(await c.get('/api/v1/users'), 403, 'forbidden');
});

test('the access log never records passwords or session tokens', async () => {
  const chief = who(srv, 'chief');
  const c = await loginAs(srv, chief);
  await c.get('/api/v1/session');
  const token = c.cookie.split('=')[1];
  assert.ok(!srv.output.includes(chief.password), 'password in server output');
  assert.ok(!srv.output.includes(token), 'session token in server output');
  assert.ok(!srv.output.includes(c.csrf), 'CSRF token in server output');
  const lines = accessLog(srv).filter((l) => l.path === '/api/v1/session');
  assert.ok(lines.some((l) => l.method === 'GET' && l.status === 200 && l.user === 'chief'));
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
