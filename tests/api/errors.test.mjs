// Every error status of the API, always as {"error":{"code","message"[,"field"]}}
// JSON; malformed JSON and invalid UTF-8; health.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, rawRequest, LEAK_RE, stopAndCheck } from './helpers.mjs';

let srv;
let admin;
let chief;
let operator;

before(async () => {
  srv = await startServer({ demo: true });
  admin = await loginAs(srv, who(srv, 'admin'));
  chief = await loginAs(srv, who(srv, 'chief'));
  operator = await loginAs(srv, who(srv, 'operator'));
});

after(async () => {
  if (srv) await srv.cleanup();
});

/** POST a raw body to the login endpoint (public, no CSRF needed). */
function postLogin(body, contentType = 'application/json') {
  return new Client(srv.url).req('POST', '/api/v1/session', body, { 'Content-Type': contentType });
}

test('GET /api/v1/health is public and reports version, schema and store', async () => {
  const r = await new Client(srv.url).get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const { stdout } = await fq(['version']);
  const m = /^fengqiao (\S+) \(schema (\d+)\)/.exec(stdout);
  assert.ok(m, stdout);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.version, m[1]);
  assert.equal(r.json.schema_latest, Number(m[2]));
  assert.equal(r.json.schema_version, r.json.schema_latest);
  assert.ok(r.json.schema_version >= 1);
  assert.equal(r.json.store.status, 'ok');
  assert.equal(r.json.store.backend, 'sqlite');
});

test('400 malformed_json for broken JSON and for non-objects', async () => {
  for (const body of ['{', '{"username":}', '{"username":"a" "password":"b"}', '{"a":1} trailing', '[]', '"text"', '42', 'null', "{'a':1}"]) {
    assertError(await postLogin(body), 400, 'malformed_json');
  }
  // The same on an authenticated endpoint.
  assertError(await admin.post('/api/v1/users', '{"username": "x",'), 400, 'malformed_json');
});

test('400 duplicate_key for an object with a repeated key', async () => {
  assertError(await postLogin('{"username":"chief","username":"admin","password":"x"}'), 400, 'duplicate_key');
  assertError(await admin.post('/api/v1/users', '{"roles":["chief"],"roles":["admin"]}'), 400, 'duplicate_key');
});

test('400 names the field: wrong type, missing, unknown, too long', async () => {
  assertError(await postLogin(JSON.stringify({ username: 123, password: 'x' })), 400, 'invalid_type', 'username');
  assertError(await postLogin(JSON.stringify({ username: 'chief', password: ['x'] })), 400, 'invalid_type', 'password');
  assertError(await postLogin(JSON.stringify({ username: 'chief' })), 400, 'missing_field', 'password');
  assertError(await postLogin(JSON.stringify({ password: 'x' })), 400, 'missing_field', 'username');
  assertError(await postLogin(JSON.stringify({ username: '   ', password: 'x' })), 400, 'missing_field', 'username');
  assertError(await postLogin(JSON.stringify({ username: null, password: 'x' })), 400, 'missing_field', 'username');
  assertError(await postLogin(JSON.stringify({ username: 'chief', password: 'x', remember: true })), 400, 'unknown_field', 'remember');
  assertError(await postLogin(JSON.stringify({ username: 'u'.repeat(65), password: 'x' })), 400, 'too_long', 'username');
  // An empty body is an empty object: the first required field is named.
  assertError(await new Client(srv.url).req('POST', '/api/v1/session'), 400, 'missing_field', 'username');
  const u = admin.user;
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '郑强' }), 400, 'missing_field', 'version');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '郑强', version: '1' }), 400, 'invalid_type', 'version');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { disabled: 'no', version: 1 }), 400, 'invalid_type', 'disabled');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { version: 0 }), 400, 'out_of_range', 'version');
  assertError(await admin.get('/api/v1/users?per_page=abc'), 400, 'invalid_query', 'per_page');
  assertError(await admin.get('/api/v1/users?per_page=201'), 400, 'invalid_query', 'per_page');
  assertError(await admin.get('/api/v1/users?page=0'), 400, 'invalid_query', 'page');
  assertError(await admin.get('/api/v1/units?boundary=yes'), 400, 'invalid_query', 'boundary');
});

test('400 invalid_utf8 for a JSON body with raw invalid bytes', async () => {
  const bodies = [
    Buffer.concat([Buffer.from('{"username":"ab'), Buffer.from([0xff]), Buffer.from('","password":"x"}')]),
    Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","password":"x"}')]), // overlong "/"
    Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","password":"x"}')]), // surrogate
    Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xe6, 0x9e]), Buffer.from('","password":"x"}')]), // truncated 枫
  ];
  for (const b of bodies) assertError(await postLogin(b), 400, 'invalid_utf8');
});

test('400 invalid_utf8 for invalid UTF-8 in the query string or the path', async () => {
  for (const q of ['%ff', '%c0%af', '%ed%a0%80', '%e6%9e', 'ok&x=%fe']) {
    assertError(await admin.get(`/api/v1/users?q=${q}`), 400, 'invalid_utf8');
  }
  assertError(await new Client(srv.url).get('/api/v1/health?x=%ff'), 400, 'invalid_utf8');
  assertError(await admin.get('/api/v1/units/%ff'), 400, 'invalid_utf8');
  assertError(await admin.get('/api/v1/users?%ff=1'), 400, 'invalid_utf8');
  // Valid UTF-8 is fine.
  const r = await admin.get(`/api/v1/users?q=${encodeURIComponent('周建国')}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((u) => u.username), ['chief']);
});

test('400 for a NUL byte in the path instead of silently truncating it', async () => {
  // %00 decodes to NUL: the server must refuse the path, not act on "/api/v1/health".
  const r = await rawRequest(srv.port, 'GET /api/v1/health%00/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assertError(r, 400, 'invalid_path');
});

test('401 unauthenticated on every protected endpoint without a session', async () => {
  const anon = new Client(srv.url);
  for (const [m, p] of [['GET', '/api/v1/session'], ['GET', '/api/v1/roles'], ['GET', '/api/v1/users'], ['GET', '/api/v1/users/x'],
    ['GET', '/api/v1/units'], ['GET', '/api/v1/units/339902510000'], ['GET', '/api/v1/audit'], ['DELETE', '/api/v1/session'],
    ['POST', '/api/v1/users'], ['PATCH', '/api/v1/users/x'], ['PUT', '/api/v1/session/password']]) {
    const r = await anon.req(m, p, m === 'GET' || m === 'DELETE' ? undefined : {});
    assertError(r, 401, 'unauthenticated');
    assert.equal(r.headers.get('set-cookie'), null);
  }
});

test('403 forbidden when the role lacks the action', async () => {
  assertError(await chief.get('/api/v1/audit'), 403, 'forbidden');
  assertError(await operator.get('/api/v1/users'), 403, 'forbidden');
  assertError(await operator.get(`/api/v1/users/${chief.user.id}`), 403, 'forbidden');
  assertError(await chief.post('/api/v1/users', { username: 'x' }), 403, 'forbidden');
  assertError(await chief.patch(`/api/v1/users/${operator.user.id}`, { display_name: 'x', version: 1 }), 403, 'forbidden');
  assertError(await chief.post(`/api/v1/users/${operator.user.id}/password`, { password: 'Quite-Good-Secret-42' }), 403, 'forbidden');
});

test('404 for unknown endpoints and objects', async () => {
  assertError(await admin.get('/api/v1/nope'), 404, 'no_such_endpoint');
  assertError(await new Client(srv.url).get('/api/v1/nope'), 404, 'no_such_endpoint');
  assertError(await admin.get('/api/v2/health'), 404, 'no_such_endpoint');
  assertError(await admin.get('/api'), 404, 'no_such_endpoint');
  assertError(await admin.get('/api/v1/health/extra'), 404, 'no_such_endpoint');
  assertError(await admin.get('/api/v1/users/00000000-0000-7000-8000-000000000000'), 404, 'not_found');
  assertError(await admin.get('/api/v1/units/999999999999'), 404, 'not_found');
  assertError(await admin.get('/api/v1/units/bad%20code'), 404, 'not_found');
  assertError(await chief.get('/api/v1/units/339902520000'), 404, 'not_found');
});

test('405 with an Allow header for a known path and the wrong method', async () => {
  const cases = [
    [new Client(srv.url), 'PUT', '/api/v1/health', 'GET'],
    [admin, 'DELETE', '/api/v1/users', 'GET, POST'],
    [admin, 'PUT', '/api/v1/users/abc', 'GET, PATCH'],
    [admin, 'PATCH', '/api/v1/session', 'POST, GET, DELETE'],
    [admin, 'POST', '/api/v1/session/password', 'PUT'],
  ];
  for (const [c, m, p, allow] of cases) {
    const r = await c.req(m, p, m === 'DELETE' ? undefined : {});
    assertError(r, 405, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), allow, `${m} ${p}`);
  }
});

test('409 for a stale version and for a duplicate username', async () => {
  const u = (await admin.get('/api/v1/users?q=auxiliary')).json.items[0];
  const ok = await admin.patch(`/api/v1/users/${u.id}`, { display_name: '张伟伟', version: u.version });
  assert.equal(ok.status, 200, ok.text);
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '张三', version: u.version }), 409, 'stale_version', 'version');
  const now = await admin.get(`/api/v1/users/${u.id}`);
  assert.equal(now.json.user.display_name, '张伟伟', 'a stale write changes nothing');
  assert.equal(now.json.user.version, u.version + 1);
  const dup = await admin.post('/api/v1/users', { username: 'chief', display_name: '重名', password: 'Distinct-Secret-553', roles: ['operator'], unit: '339902510000' });
  assertError(dup, 409, 'username_taken', 'username');
});

test('415 for a body that is not application/json', async () => {
  assertError(await postLogin('{"username":"chief","password":"x"}', 'text/plain'), 415, 'unsupported_media_type');
  assertError(await postLogin('{"username":"chief","password":"x"}', 'application/jsonp'), 415, 'unsupported_media_type');
  assertError(await postLogin('username=chief&password=x', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
  assertError(await admin.post('/api/v1/users', '{}', { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
  // A charset parameter is fine.
  const chiefLogin = who(srv, 'chief');
  const r = await postLogin(JSON.stringify({ username: chiefLogin.username, password: chiefLogin.password }), 'application/json; charset=utf-8');
  assert.equal(r.status, 200);
});

test('422 self_lockout when an admin would disable or demote themselves', async () => {
  const me = (await admin.get('/api/v1/session')).json.user;
  assertError(await admin.patch(`/api/v1/users/${me.id}`, { disabled: true, version: me.version }), 422, 'self_lockout');
  assertError(await admin.patch(`/api/v1/users/${me.id}`, { roles: ['auditor'], version: me.version }), 422, 'self_lockout');
  const after = (await admin.get(`/api/v1/users/${me.id}`)).json.user;
  assert.equal(after.disabled, false);
  assert.deepEqual(after.roles, ['admin']);
  assert.equal(after.version, me.version);
});

test('every answer of the API is JSON, and errors carry no internals', async () => {
  const probes = [
    [admin, 'GET', '/api/v1/roles'], [admin, 'GET', '/api/v1/units'], [admin, 'GET', '/api/v1/users'],
    [admin, 'GET', '/api/v1/users?sort=password_hash'], [admin, 'GET', "/api/v1/users?q=' OR 1=1 --"],
    [admin, 'GET', '/api/v1/units?parent=%27%3B%20DROP%20TABLE%20unit%3B--'], [admin, 'GET', '/api/v1/units?kind=robot'],
    [admin, 'GET', '/api/v1/users?unit=nowhere'], [admin, 'GET', '/api/v1/users/%27'],
  ];
  for (const [c, m, p] of probes) {
    const r = await c.req(m, p);
    assert.match(r.headers.get('content-type') || '', /^application\/json/, `${m} ${p}`);
    assert.ok(r.json, `${m} ${p}: not JSON`);
    assert.ok(r.status < 500, `${m} ${p}: ${r.status} ${r.text}`);
    if (r.status >= 400) assert.doesNotMatch(r.text, LEAK_RE);
  }
  assertError(await admin.get('/api/v1/users?sort=password_hash'), 400, 'invalid_sort', 'sort');
  assertError(await admin.get('/api/v1/units?kind=robot'), 400, 'invalid_kind', 'kind');
  // The store is intact after the injection-shaped input.
  assert.equal((await admin.get('/api/v1/units?kind=station')).json.total, 4);
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
