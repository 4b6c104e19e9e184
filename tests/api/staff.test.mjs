// The staff directory (GET /api/v1/staff): colleagues to pick when assigning
// work. Every signed-in role may read it, inside its own scope, and it shows
// names, roles and units only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

let srv;
const as = {};

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['admin', 'chief', 'operator', 'gridworker', 'volunteer', 'chief2']) as[u] = await loginAs(srv, who(srv, u));
});

after(async () => {
  if (srv) await stopAndCheck(srv);
});

test('an operator (no user.read) lists the station staff, without personal fields', async () => {
  assert.equal((await as.operator.get('/api/v1/users')).status, 403);
  const r = await as.operator.get('/api/v1/staff?per_page=200');
  assert.equal(r.status, 200);
  const users = (await as.admin.get('/api/v1/users?per_page=200&unit=339902510000')).json.items.filter((u) => !u.disabled);
  assert.equal(r.json.total, users.length);
  assert.deepEqual(new Set(r.json.items.map((s) => s.id)), new Set(users.map((u) => u.id)));
  for (const s of r.json.items) {
    assert.deepEqual(Object.keys(s).sort(), ['display_name', 'id', 'roles', 'unit']);
    assert.equal(s.unit.code, users.find((u) => u.id === s.id).unit.code);
    assert.ok(Array.isArray(s.roles) && s.roles.length > 0);
  }
  // Sorted by unit, then name.
  const names = r.json.items.filter((s) => s.unit.code === '339902510000').map((s) => s.display_name);
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
});

test('role, name and unit filters; paging', async () => {
  const officers = await as.operator.get('/api/v1/staff?role=community_officer');
  assert.equal(officers.status, 200);
  assert.ok(officers.json.total >= 1);
  for (const s of officers.json.items) assert.ok(s.roles.includes('community_officer'));
  const one = officers.json.items[0];
  const byName = await as.operator.get(`/api/v1/staff?q=${encodeURIComponent(one.display_name.slice(0, 1))}`);
  assert.ok(byName.json.items.some((s) => s.id === one.id));
  for (const s of byName.json.items) assert.ok(s.display_name.includes(one.display_name.slice(0, 1)));
  const grid = await as.chief.get('/api/v1/staff?unit=339902100001');
  assert.equal(grid.status, 200);
  assert.ok(grid.json.total >= 2, 'the grid worker and the volunteer');
  for (const s of grid.json.items) assert.equal(s.unit.code, '339902100001');
  const p1 = await as.chief.get('/api/v1/staff?per_page=2&page=1');
  const p2 = await as.chief.get('/api/v1/staff?per_page=2&page=2');
  assert.equal(p1.json.items.length, 2);
  assert.equal(p1.json.total, p2.json.total);
  assert.notDeepEqual(p1.json.items.map((s) => s.id), p2.json.items.map((s) => s.id));
});

test('scope: a grid worker sees the grid only, another station is not found', async () => {
  const g = await as.gridworker.get('/api/v1/staff?per_page=200');
  assert.equal(g.status, 200);
  for (const s of g.json.items) assert.equal(s.unit.code, '339902100001');
  assertError(await as.gridworker.get('/api/v1/staff?unit=339902510000'), 404, 'unit_not_found', 'unit');
  assertError(await as.chief.get('/api/v1/staff?unit=339902520000'), 404, 'unit_not_found', 'unit');
  const other = await as.chief2.get('/api/v1/staff?per_page=200');
  const theirs = (await as.admin.get('/api/v1/users?per_page=200&unit=339902520000')).json.items;
  assert.deepEqual(new Set(other.json.items.map((s) => s.id)), new Set(theirs.filter((u) => !u.disabled).map((u) => u.id)));
  assert.ok(!other.json.items.some((s) => g.json.items.some((x) => x.id === s.id)));
});

test('can=ACTION keeps the users whose roles grant it', async () => {
  const admins = await as.admin.get('/api/v1/staff?can=user.manage&per_page=200');
  assert.equal(admins.status, 200);
  assert.deepEqual(admins.json.items.map((s) => s.roles.includes('admin')), admins.json.items.map(() => true));
  assert.ok(admins.json.total >= 1, 'the admin at least');
  const all = await as.chief.get('/api/v1/staff?per_page=200');
  const managers = await as.chief.get('/api/v1/staff?can=dispute.manage&per_page=200');
  assert.ok(managers.json.total > 0 && managers.json.total < all.json.total);
  // Together with role: both must hold.
  const both = await as.chief.get('/api/v1/staff?can=dispute.manage&role=volunteer');
  const vols = await as.chief.get('/api/v1/staff?role=volunteer');
  assert.ok(both.json.total <= vols.json.total);
  for (const s of both.json.items) assert.ok(managers.json.items.some((m) => m.id === s.id));
  assertError(await as.chief.get('/api/v1/staff?can=fly'), 400, 'invalid_query', 'can');
});

test('bad input is named', async () => {
  assertError(await as.chief.get('/api/v1/staff?role=sheriff'), 400, 'invalid_query', 'role');
  assertError(await as.chief.get('/api/v1/staff?unit=999999999999'), 400, 'unknown_unit', 'unit');
  assert.equal((await as.chief.get('/api/v1/staff?per_page=0')).status, 400);
});

test('a disabled user is not offered', async () => {
  const list = await as.admin.get('/api/v1/users?per_page=200&q=auxiliary');
  const aux = list.json.items.find((u) => u.username === 'auxiliary');
  const before = await as.chief.get('/api/v1/staff?per_page=200');
  assert.ok(before.json.items.some((s) => s.id === aux.id));
  const off = await as.admin.patch(`/api/v1/users/${aux.id}`, { disabled: true, version: aux.version });
  assert.equal(off.status, 200, JSON.stringify(off.json));
  const after = await as.chief.get('/api/v1/staff?per_page=200');
  assert.ok(!after.json.items.some((s) => s.id === aux.id));
  assert.equal(after.json.total, before.json.total - 1);
});
