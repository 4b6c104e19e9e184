// Scope isolation between two stations: 枫溪派出所 339902510000 (chief) and
// 清塘派出所 339902520000 (chief2); the branch admin sees both; a station-level
// admin created with the CLI manages only their own station.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, clientFor, stopAndCheck } from './helpers.mjs';

const A = '339902510000';
const B = '339902520000';
const PW = 'Station-Admin-Pass-61';
let srv;
let admin;
let chief;
let chief2;
let stadmin;
let ids; // username → user of the demo data

before(async () => {
  srv = await startServer({ demo: true });
  const { stdout } = await fq(['user', 'add', '--db', srv.db, '--username', 'stadmin', '--name', '枫溪管理员', '--unit', A, '--roles', 'admin'], { input: PW + '\n' });
  assert.match(stdout, /user\.create: stadmin \(339902510000\)/);
  admin = await loginAs(srv, who(srv, 'admin'));
  chief = await loginAs(srv, who(srv, 'chief'));
  chief2 = await loginAs(srv, who(srv, 'chief2'));
  stadmin = await clientFor(srv, 'stadmin', PW);
  const r = await admin.get('/api/v1/users?per_page=200');
  ids = Object.fromEntries(r.json.items.map((u) => [u.username, u]));
});

after(async () => {
  if (srv) await srv.cleanup();
});

test('a station chief cannot see the other station\'s units (404), in both directions', async () => {
  assertError(await chief.get(`/api/v1/units/${B}`), 404, 'not_found');
  assertError(await chief.get(`/api/v1/units?parent=${B}`), 404, 'not_found', 'parent');
  assertError(await chief2.get(`/api/v1/units/${A}`), 404, 'not_found');
  assertError(await chief2.get(`/api/v1/units?parent=${A}`), 404, 'not_found', 'parent');
  // A grid of the other station, and the branch above both.
  assertError(await chief.get('/api/v1/units/339902101001'), 404, 'not_found');
  assertError(await chief2.get('/api/v1/units/339902100001'), 404, 'not_found');
  assertError(await chief.get('/api/v1/units/339902'), 404, 'not_found');
  // The answer for another station's unit is the same as for a unit that does not exist.
  const ghost = await chief.get('/api/v1/units/339902990000');
  const other = await chief.get(`/api/v1/units/${B}`);
  assert.equal(other.text, ghost.text);
});

test('each chief sees their own station with boundary and centroid', async () => {
  for (const [c, code, name] of [[chief, A, '枫溪派出所'], [chief2, B, '清塘派出所']]) {
    const r = await c.get(`/api/v1/units/${code}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, code);
    assert.equal(r.json.name, name);
    assert.equal(r.json.kind, 'station');
    assert.equal(r.json.parent, '339902');
    assert.equal(typeof r.json.centroid.lat, 'number');
    assert.equal(typeof r.json.centroid.lon, 'number');
    assert.equal(r.json.boundary.type, 'Polygon');
    const kids = await c.get(`/api/v1/units?parent=${code}`);
    assert.equal(kids.status, 200);
    assert.ok(kids.json.items.length > 0);
    for (const u of kids.json.items) assert.equal(u.parent, code);
  }
});

test('unit lists contain only units in scope', async () => {
  const a = await chief.get('/api/v1/units');
  assert.equal(a.status, 200);
  const codesA = a.json.items.map((u) => u.code);
  assert.ok(codesA.includes(A));
  assert.ok(!codesA.includes(B));
  assert.ok(!codesA.includes('339902'));
  assert.ok(a.json.items.every((u) => u.code === A || u.parent === A || codesA.includes(u.parent)), 'only A and below');
  const b = await chief2.get('/api/v1/units');
  const codesB = b.json.items.map((u) => u.code);
  assert.ok(codesB.includes(B) && !codesB.includes(A));
  assert.equal(codesA.filter((c) => codesB.includes(c)).length, 0, 'the two stations share no unit');
  const all = await admin.get('/api/v1/units');
  const codesAll = all.json.items.map((u) => u.code);
  for (const c of [...codesA, ...codesB, '339902']) assert.ok(codesAll.includes(c), c);
});

test('the branch admin sees both stations', async () => {
  assert.equal((await admin.get(`/api/v1/units/${A}`)).status, 200);
  assert.equal((await admin.get(`/api/v1/units/${B}`)).status, 200);
  assert.equal((await admin.get(`/api/v1/users/${ids.chief2.id}`)).status, 200);
  assert.equal((await admin.get(`/api/v1/users/${ids.chief.id}`)).status, 200);
});

test('users: a chief lists and reads only users of their station', async () => {
  const r = await chief.get('/api/v1/users?per_page=200');
  assert.equal(r.status, 200);
  const names = r.json.items.map((u) => u.username).sort();
  assert.deepEqual(names, ['auxiliary', 'caseofficer', 'chief', 'community', 'gridworker', 'operator', 'stadmin', 'volunteer']);
  assert.equal(r.json.total, 8);
  const r2 = await chief2.get('/api/v1/users?per_page=200');
  assert.deepEqual(r2.json.items.map((u) => u.username), ['chief2']);
  assertError(await chief.get(`/api/v1/users/${ids.chief2.id}`), 404, 'not_found');
  assertError(await chief2.get(`/api/v1/users/${ids.chief.id}`), 404, 'not_found');
  assertError(await chief.get(`/api/v1/users?unit=${B}`), 404, 'unit_not_found', 'unit');
  // The same answer as for an id that does not exist.
  const ghost = await chief.get('/api/v1/users/01a20a37-0000-7000-8000-000000000000');
  assert.equal((await chief.get(`/api/v1/users/${ids.chief2.id}`)).text, ghost.text);
  // Searching by name does not reach across either.
  const q = await chief.get(`/api/v1/users?q=${encodeURIComponent('黄海')}`);
  assert.equal(q.json.total, 0);
});

test('a station admin lists only their station\'s users', async () => {
  const r = await stadmin.get('/api/v1/users?per_page=200');
  assert.equal(r.status, 200);
  const names = r.json.items.map((u) => u.username);
  assert.ok(names.includes('chief') && names.includes('stadmin'));
  for (const n of ['chief2', 'admin', 'auditor', 'analyst']) assert.ok(!names.includes(n), `${n} listed to a station admin`);
});

test('a station admin cannot read, change or reset a user of another station (404)', async () => {
  const target = ids.chief2;
  assertError(await stadmin.get(`/api/v1/users/${target.id}`), 404, 'not_found');
  assertError(await stadmin.patch(`/api/v1/users/${target.id}`, { display_name: '被改了', version: target.version }), 404, 'not_found');
  assertError(await stadmin.patch(`/api/v1/users/${target.id}`, { disabled: true, version: target.version }), 404, 'not_found');
  assertError(await stadmin.post(`/api/v1/users/${target.id}/password`, { password: 'Hijacked-Password-99' }), 404, 'not_found');
  // Nor the branch admin above them.
  assertError(await stadmin.patch(`/api/v1/users/${ids.admin.id}`, { roles: ['volunteer'], version: ids.admin.version }), 404, 'not_found');
  const now = (await admin.get(`/api/v1/users/${target.id}`)).json.user;
  assert.equal(now.display_name, target.display_name);
  assert.equal(now.disabled, false);
  assert.equal(now.version, target.version);
  // chief2 can still log in with the old password.
  assert.equal((await loginAs(srv, who(srv, 'chief2'))).user.username, 'chief2');
});

test('a station admin cannot create a user in, or move one to, another station (400 unknown_unit)', async () => {
  const body = { username: 'intruder', display_name: '越权', password: 'Cross-Station-Pass-8', roles: ['operator'], unit: B };
  assertError(await stadmin.post('/api/v1/users', body), 400, 'unknown_unit', 'unit');
  assertError(await stadmin.post('/api/v1/users', { ...body, unit: '339902101001' }), 400, 'unknown_unit', 'unit');
  assertError(await stadmin.post('/api/v1/users', { ...body, unit: '339902' }), 400, 'unknown_unit', 'unit');
  const op = ids.operator;
  assertError(await stadmin.patch(`/api/v1/users/${op.id}`, { unit: B, version: op.version }), 400, 'unknown_unit', 'unit');
  // Nor lift themselves to the branch.
  const me = (await stadmin.get('/api/v1/session')).json.user;
  assertError(await stadmin.patch(`/api/v1/users/${me.id}`, { unit: '339902', version: me.version }), 400, 'unknown_unit', 'unit');
  assert.equal((await admin.get('/api/v1/users?q=intruder')).json.total, 0);
  assert.equal((await admin.get(`/api/v1/users/${op.id}`)).json.user.unit.code, A);
  // Inside the station it works.
  const ok = await stadmin.post('/api/v1/users', { ...body, username: 'insider', unit: '339902100001' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.user.unit.code, '339902100001');
});

test('an auditor of one station does not see another station\'s audit entries', async () => {
  const { stdout } = await fq(['user', 'add', '--db', srv.db, '--username', 'stauditor', '--name', '清塘审计', '--unit', B, '--roles', 'auditor'], { input: PW + '\n' });
  assert.match(stdout, /stauditor/);
  const aud = await clientFor(srv, 'stauditor', PW);
  // stadmin (station A) created "insider": an entry with unit A.
  const r = await aud.get('/api/v1/audit?action=user.create&per_page=200');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.json.items.some((e) => e.unit === A), 'station B auditor sees station A entries');
  const branch = await loginAs(srv, who(srv, 'auditor'));
  const r2 = await branch.get('/api/v1/audit?action=user.create&user=stadmin');
  assert.ok(r2.json.items.some((e) => e.unit === A));
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
