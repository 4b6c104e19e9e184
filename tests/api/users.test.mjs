// User administration: /api/v1/users list, create, update, reset password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, clientFor, stopAndCheck } from './helpers.mjs';

const PW = 'Lantern-Harbor-3928';
let srv;
let admin;

before(async () => {
  srv = await startServer({ demo: true });
  admin = await loginAs(srv, who(srv, 'admin'));
});

after(async () => {
  if (srv) await srv.cleanup();
});

const base = { display_name: '新同事', password: PW, roles: ['operator'], unit: '339902510000' };

test('list: default order by username, total, pagination', async () => {
  const all = await admin.get('/api/v1/users?per_page=200');
  assert.equal(all.status, 200);
  assert.equal(all.json.total, 11);
  assert.equal(all.json.page, 1);
  assert.equal(all.json.per_page, 200);
  const names = all.json.items.map((u) => u.username);
  assert.deepEqual(names, [...names].sort());
  assert.deepEqual(names, ['admin', 'analyst', 'auditor', 'auxiliary', 'caseofficer', 'chief', 'chief2', 'community', 'gridworker', 'operator', 'volunteer']);
  const def = await admin.get('/api/v1/users');
  assert.equal(def.json.per_page, 20);
  const p2 = await admin.get('/api/v1/users?per_page=3&page=2');
  assert.deepEqual(p2.json.items.map((u) => u.username), names.slice(3, 6));
  assert.equal(p2.json.total, 11);
  assert.equal(p2.json.page, 2);
  const last = await admin.get('/api/v1/users?per_page=3&page=4');
  assert.deepEqual(last.json.items.map((u) => u.username), names.slice(9));
  const beyond = await admin.get('/api/v1/users?per_page=3&page=50');
  assert.deepEqual(beyond.json.items, []);
  assert.equal(beyond.json.total, 11);
});

test('list: sort and q search', async () => {
  const desc = await admin.get('/api/v1/users?sort=-username&per_page=200');
  const names = desc.json.items.map((u) => u.username);
  assert.deepEqual(names, [...names].sort().reverse());
  const byUnit = await admin.get('/api/v1/users?sort=unit&per_page=200');
  assert.equal(byUnit.json.items[0].unit.code, '339902', 'branch users first (by unit path)');
  const created = await admin.get('/api/v1/users?sort=created_at&per_page=200');
  assert.equal(created.json.items[0].username, 'chief', 'the demo creates the chief first');
  const rcreated = await admin.get('/api/v1/users?sort=-created_at&per_page=200');
  assert.deepEqual(rcreated.json.items.map((u) => u.id), created.json.items.map((u) => u.id).reverse());
  const q = await admin.get('/api/v1/users?q=chief');
  assert.deepEqual(q.json.items.map((u) => u.username), ['chief', 'chief2']);
  assert.equal(q.json.total, 2);
  const qn = await admin.get(`/api/v1/users?q=${encodeURIComponent('郑')}`);
  assert.deepEqual(qn.json.items.map((u) => u.username), ['admin']);
  const none = await admin.get('/api/v1/users?q=%25');
  assert.equal(none.json.total, 0, '% is a literal, not a wildcard');
  const unit = await admin.get('/api/v1/users?unit=339902520000');
  assert.deepEqual(unit.json.items.map((u) => u.username), ['chief2']);
  assertError(await admin.get('/api/v1/users?sort=bogus'), 400, 'invalid_sort', 'sort');
  assertError(await admin.get('/api/v1/users?unit=nowhere'), 400, 'unknown_unit', 'unit');
});

test('user answers never carry password material', async () => {
  const all = await admin.get('/api/v1/users?per_page=200');
  for (const u of all.json.items) {
    assert.deepEqual(Object.keys(u).sort(), ['created_at', 'disabled', 'display_name', 'id', 'last_login_at', 'locked_until', 'roles', 'unit', 'username', 'version']);
  }
  assert.doesNotMatch(all.text, /argon2|\$argon|password/i);
});

test('create: 201 with the new user, who can then log in', async () => {
  const r = await admin.post('/api/v1/users', { ...base, username: 'newbie', roles: ['operator', 'grid_worker'], unit: '339902100001' });
  assert.equal(r.status, 201, r.text);
  const u = r.json.user;
  assert.equal(u.username, 'newbie');
  assert.equal(u.display_name, '新同事');
  assert.deepEqual([...u.roles].sort(), ['grid_worker', 'operator']);
  assert.equal(u.unit.code, '339902100001');
  assert.equal(u.unit.kind, 'grid');
  assert.equal(u.disabled, false);
  assert.equal(u.version, 1);
  assert.equal(u.last_login_at, null);
  assert.match(u.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.doesNotMatch(r.text, /password|argon/i);
  const got = await admin.get(`/api/v1/users/${u.id}`);
  assert.deepEqual(got.json.user, u);
  const c = await clientFor(srv, 'newbie', PW);
  assert.equal(c.user.username, 'newbie');
});

test('create: password policy errors', async () => {
  const cases = [
    ['short-Pw1', 'password_too_short'],
    ['密码太短了十一个字符', 'password_too_short'], // 10 characters, 30 bytes: counted in characters
    ['password1234', 'password_common'],
    ['Password1234', 'password_common'],
    ['administrator', 'password_common'],
    ['aaaaaaaaaaaaaaaa', 'password_common'],
    ['abcdefghijklmnop', 'password_common'],
    ['12345678901234567', 'password_common'],
    ['My-pwtester-Secret', 'password_contains_username'],
    ['MY-PWTESTER-SECRET', 'password_contains_username'],
  ];
  for (const [password, code] of cases) {
    const r = await admin.post('/api/v1/users', { ...base, username: 'pwtester', password });
    assertError(r, 400, code, 'password');
  }
  assertError(await admin.post('/api/v1/users', { ...base, username: 'pwtester', password: 'x'.repeat(300) }), 400, 'too_long', 'password');
  assert.equal((await admin.get('/api/v1/users?q=pwtester')).json.total, 0);
  // A long passphrase in Chinese is fine.
  const ok = await admin.post('/api/v1/users', { ...base, username: 'pwtester', password: '枫桥经验小事不出村大事不出镇' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await new Client(srv.url).login('pwtester', '枫桥经验小事不出村大事不出镇')).status, 200);
});

test('create: invalid username, roles, unit, display name and fields', async () => {
  for (const username of ['Bad', 'has space', 'ab', '1abc', '_abc', 'zhang@police', '张三', 'UPPER', 'a/b', 'a\nb']) {
    assertError(await admin.post('/api/v1/users', { ...base, username }), 400, 'invalid_username', 'username');
  }
  assertError(await admin.post('/api/v1/users', { ...base, username: 'a'.repeat(33) }), 400, 'too_long', 'username');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', roles: ['superuser'] }), 400, 'unknown_role', 'roles');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', roles: ['operator', 'god'] }), 400, 'unknown_role', 'roles');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', roles: 'operator' }), 400, 'invalid_type', 'roles');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', roles: [1] }), 400, 'invalid_type', 'roles');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', roles: [] }), 400, 'missing_field', 'roles');
  const { roles, ...noRoles } = base;
  assert.ok(roles);
  assertError(await admin.post('/api/v1/users', { ...noRoles, username: 'rolly' }), 400, 'missing_field', 'roles');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', unit: '000000' }), 400, 'unknown_unit', 'unit');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', display_name: '长'.repeat(33) }), 400, 'too_long', 'display_name');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', display_name: '' }), 400, 'missing_field', 'display_name');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', is_admin: true }), 400, 'unknown_field', 'is_admin');
  assertError(await admin.post('/api/v1/users', { ...base, username: 'rolly', id: 'x' }), 400, 'unknown_field', 'id');
  assert.equal((await admin.get('/api/v1/users?q=rolly')).json.total, 0);
});

test('PATCH: display_name and roles with the current version', async () => {
  const c = await admin.post('/api/v1/users', { ...base, username: 'patchme' });
  let u = c.json.user;
  let r = await admin.patch(`/api/v1/users/${u.id}`, { display_name: '改名后', version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.display_name, '改名后');
  assert.equal(r.json.user.version, 2);
  assert.deepEqual(r.json.user.roles, ['operator']);
  u = r.json.user;
  r = await admin.patch(`/api/v1/users/${u.id}`, { roles: ['case_officer', 'community_officer'], version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user.roles.sort(), ['case_officer', 'community_officer']);
  assert.equal(r.json.user.display_name, '改名后');
  assert.equal(r.json.user.version, 3);
  // An old version is refused and changes nothing.
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '旧版本', version: 2 }), 409, 'stale_version', 'version');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { roles: ['nobody'], version: 3 }), 400, 'unknown_role', 'roles');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '', version: 3 }), 400, 'invalid_display_name', 'display_name');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { unit: 'nowhere', version: 3 }), 400, 'unknown_unit', 'unit');
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { username: 'renamed', version: 3 }), 400, 'unknown_field', 'username');
  const now = (await admin.get(`/api/v1/users/${u.id}`)).json.user;
  assert.equal(now.display_name, '改名后');
  assert.equal(now.version, 3);
  assertError(await admin.patch('/api/v1/users/no-such-id', { display_name: 'x', version: 1 }), 404, 'not_found');
});

test('PATCH: disable and enable', async () => {
  const c = await admin.post('/api/v1/users', { ...base, username: 'toggler' });
  let u = c.json.user;
  let r = await admin.patch(`/api/v1/users/${u.id}`, { disabled: true, version: u.version });
  assert.equal(r.status, 200);
  assert.equal(r.json.user.disabled, true);
  assertError(await new Client(srv.url).login('toggler', PW), 401, 'invalid_credentials');
  u = r.json.user;
  r = await admin.patch(`/api/v1/users/${u.id}`, { disabled: false, version: u.version });
  assert.equal(r.json.user.disabled, false);
  assert.equal((await new Client(srv.url).login('toggler', PW)).status, 200);
});

test('reset password: POST /api/v1/users/ID/password', async () => {
  const c = await admin.post('/api/v1/users', { ...base, username: 'forgetful' });
  const u = c.json.user;
  const session = await clientFor(srv, 'forgetful', PW);
  assertError(await admin.post(`/api/v1/users/${u.id}/password`, { password: 'short' }), 400, 'password_too_short', 'password');
  assertError(await admin.post(`/api/v1/users/${u.id}/password`, { password: 'forgetful-Secret-2' }), 400, 'password_contains_username', 'password');
  assertError(await admin.post(`/api/v1/users/${u.id}/password`, {}), 400, 'missing_field', 'password');
  assertError(await admin.post(`/api/v1/users/${u.id}/password`, { password: 'Brand-New-Secret-77', notify: true }), 400, 'unknown_field', 'notify');
  assertError(await admin.post('/api/v1/users/nope/password', { password: 'Brand-New-Secret-77' }), 404, 'not_found');
  // Refused attempts changed nothing.
  assert.equal((await session.get('/api/v1/session')).status, 200);
  const r = await admin.post(`/api/v1/users/${u.id}/password`, { password: 'Brand-New-Secret-77' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { ok: true });
  assertError(await session.get('/api/v1/session'), 401, 'unauthenticated');
  assertError(await new Client(srv.url).login('forgetful', PW), 401, 'invalid_credentials');
  assert.equal((await new Client(srv.url).login('forgetful', 'Brand-New-Secret-77')).status, 200);
  const after = (await admin.get(`/api/v1/users/${u.id}`)).json.user;
  assert.equal(after.version, u.version + 1);
});

test('GET /api/v1/roles lists every role with its actions', async () => {
  const r = await admin.get('/api/v1/roles');
  assert.equal(r.status, 200);
  const byCode = Object.fromEntries(r.json.items.map((x) => [x.code, x]));
  assert.deepEqual(Object.keys(byCode).sort(), ['admin', 'analyst', 'auditor', 'auxiliary', 'case_officer', 'chief', 'community_officer', 'grid_worker', 'operator', 'volunteer']);
  assert.ok(byCode.auditor.actions.includes('audit.read'));
  for (const x of r.json.items) {
    if (x.code !== 'auditor') assert.ok(!x.actions.includes('audit.read'), `${x.code} may read the audit log`);
    assert.ok(!x.actions.some((a) => /^audit\.(write|update|delete)/.test(a)), `${x.code} may change the audit log`);
  }
  assert.ok(byCode.admin.actions.includes('user.manage'));
  assert.ok(!byCode.chief.actions.includes('user.manage'));
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
