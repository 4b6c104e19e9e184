// Grids and police posts: the grid list with its counts, the grid page with
// its sections (masked as the registry masks), who answers for a grid
// ("1+X+N") and a post, rights, scope and validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const GRID = '339902100001'; // the demo grid worker's grid, main station
const OTHER = '339902100002'; // another grid of the main station
let srv;
const as = {};

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['chief', 'community', 'operator', 'gridworker', 'volunteer', 'auditor', 'admin', 'chief2', 'analyst']) as[name] = await loginAs(srv, who(srv, name));
});

after(async () => {
  await stopAndCheck(srv);
});

const ID_MASK = /^\d{6}\*{8}\d{3}[\dX]$/;

test('the grid list: every grid of the station with staff and counts that agree with the registries', async () => {
  const r = await as.chief.get('/api/v1/grids');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 40, 'the main station has 40 grids');
  assert.equal(r.json.items.length, 40);
  assert.ok(r.json.items.every((g) => g.code.startsWith('339902100')));
  const g = r.json.items.find((x) => x.code === GRID);
  assert.ok(g, 'the grid worker’s grid is listed');
  assert.equal(g.station.code, '339902510000');
  assert.equal(g.boundary, undefined, 'no boundary unless asked');
  assert.equal(g.staff.officer.name, '王志强');
  assert.equal(g.staff.officer.user_id, as.community.user.id);
  assert.ok(g.staff.grid_workers.some((m) => m.user_id === as.gridworker.user.id));
  assert.ok(g.post && /^33990251\d{3}$/.test(g.post.code), `the grid has its post: ${JSON.stringify(g.post)}`);
  // Every grid has its officer, at least one auxiliary and one grid worker.
  for (const x of r.json.items) {
    assert.ok(x.staff.officer && x.staff.officer.name, `${x.code} has an officer`);
    assert.ok(x.staff.auxiliaries.length >= 1 && x.staff.grid_workers.length >= 1, `${x.code} has 1+X+N`);
  }
  // Counts agree with the registries' own lists.
  const people = await as.chief.get(`/api/v1/people?unit=${GRID}&per_page=1`);
  const houses = await as.chief.get(`/api/v1/houses?unit=${GRID}&per_page=1`);
  const venues = await as.chief.get(`/api/v1/organisations?unit=${GRID}&per_page=1`);
  const disputes = await as.chief.get(`/api/v1/disputes?unit=${GRID}&state=open&per_page=1`);
  const directives = await as.chief.get(`/api/v1/directives?grid=${GRID}&state=open&per_page=1`);
  assert.ok(people.json.total > 0, 'the demo registry has people in the grid');
  assert.equal(g.counts.people, people.json.total);
  assert.equal(g.counts.houses, houses.json.total);
  assert.equal(g.counts.venues, venues.json.total);
  assert.equal(g.counts.open_disputes, disputes.json.total);
  assert.equal(g.counts.open_directives, directives.json.total);
  assert.equal(g.coverage.houses, houses.json.total);
  const sum = r.json.items.reduce((n, x) => n + x.counts.people, 0);
  const all = await as.chief.get('/api/v1/people?per_page=1');
  assert.ok(sum <= all.json.total && sum > 0);
});

test('the grid list sorts by a measure, carries boundaries when asked, and refuses a bad sort', async () => {
  const r = await as.chief.get('/api/v1/grids?sort=-people&boundary=1');
  assert.equal(r.status, 200, r.text);
  const n = r.json.items.map((g) => g.counts.people);
  assert.deepEqual(n, [...n].sort((a, b) => b - a));
  assert.ok(n[0] > n[n.length - 1], 'the demo grids differ in size');
  assert.equal(r.json.items[0].boundary.type, 'Polygon');
  const byName = await as.chief.get('/api/v1/grids?sort=name');
  const names = byName.json.items.map((g) => g.name);
  assert.deepEqual(names, [...names].sort());
  // Every key, both ways: ordered by the measure, ties by code ascending, the same grids.
  const measure = {
    code: (g) => g.code, name: (g) => g.name,
    coverage: (g) => (g.coverage.share == null ? -1 : g.coverage.share),
  };
  for (const key of ['people', 'houses', 'venues', 'open_directives', 'open_disputes', 'alerts']) measure[key] = (g) => g.counts[key];
  const all = (await as.chief.get('/api/v1/grids')).json;
  for (const [key, value] of Object.entries(measure)) {
    for (const desc of [false, true]) {
      const got = await as.chief.get(`/api/v1/grids?sort=${desc ? '-' : ''}${key}`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.total, all.total);
      const want = [...all.items].sort((a, b) => {
        const x = value(a), y = value(b);
        const c = x < y ? -1 : x > y ? 1 : 0;
        return (desc ? -c : c) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
      });
      assert.deepEqual(got.json.items.map((g) => g.code), want.map((g) => g.code), `sort=${desc ? '-' : ''}${key}`);
    }
  }
  assertError(await as.chief.get('/api/v1/grids?sort=size'), 400, 'invalid_query', 'sort');
  assertError(await as.chief.get('/api/v1/grids?boundary=2'), 400, 'invalid_query', 'boundary');
  assertError(await as.chief.get('/api/v1/grids?unit=339902520000'), 404, 'not_found', 'unit');
});

test('scope: a grid worker sees their grid only; other grids and other stations answer 404', async () => {
  const r = await as.gridworker.get('/api/v1/grids');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((g) => g.code), [GRID]);
  assertError(await as.gridworker.get(`/api/v1/grids/${OTHER}`), 404, 'not_found');
  assertError(await as.chief2.get(`/api/v1/grids/${GRID}`), 404, 'not_found');
  const own = await as.chief2.get('/api/v1/grids');
  assert.ok(own.json.items.length > 0 && own.json.items.every((g) => g.station.code === '339902520000'));
  assertError(await as.chief.get('/api/v1/grids/339902100999'), 404, 'not_found');
  assertError(await as.chief.get('/api/v1/grids/339902510000'), 404, 'not_found'); // a station is no grid
  assertError(await as.chief.get('/api/v1/grids/bad%20code'), 404, 'not_found');
});

test('rights: volunteers and auditors read no grids; sections follow each role’s rights', async () => {
  assertError(await as.volunteer.get('/api/v1/grids'), 403, 'forbidden');
  assertError(await as.auditor.get(`/api/v1/grids/${GRID}`), 403, 'forbidden');
  assertError(await as.volunteer.get('/api/v1/posts'), 403, 'forbidden');
  // The administrator sets staff but reads no people, houses, alerts or disputes.
  const admin = await as.admin.get(`/api/v1/grids/${GRID}`);
  assert.equal(admin.status, 200, admin.text);
  assert.equal(admin.json.grid.code, GRID);
  for (const k of ['people', 'houses', 'venues', 'directives', 'disputes', 'alerts']) assert.equal(admin.json[k], undefined, `admin has no ${k}`);
  // The analyst reads the counts, directives, alerts and disputes, not people.
  const an = await as.analyst.get(`/api/v1/grids/${GRID}`);
  assert.equal(an.status, 200, an.text);
  assert.equal(an.json.people, undefined);
  assert.ok(an.json.alerts && an.json.disputes);
  // The grid worker reads people and houses but not the command room's lists.
  const gw = await as.gridworker.get(`/api/v1/grids/${GRID}`);
  assert.equal(gw.status, 200, gw.text);
  assert.ok(gw.json.people.items.length > 0);
  assert.equal(gw.json.alerts, undefined);
  assert.equal(gw.json.directives, undefined);
  assertError(await as.gridworker.get(`/api/v1/grids/${GRID}/alerts`), 403, 'forbidden');
});

test('the grid page: boundary, staff, counts and the first page of each section, masked', async () => {
  const r = await as.community.get(`/api/v1/grids/${GRID}`);
  assert.equal(r.status, 200, r.text);
  const { grid } = r.json;
  assert.equal(grid.boundary.type, 'Polygon');
  assert.ok(grid.centroid.lat > 29 && grid.centroid.lon > 120);
  assert.equal(grid.staff.officer.name, '王志强');
  assert.equal(r.json.people.total, grid.counts.people);
  assert.ok(r.json.people.items.length > 0 && r.json.people.items.length <= 20);
  for (const p of r.json.people.items) {
    assert.match(p.id_number, ID_MASK, 'ID numbers masked on the grid page');
    if (p.phone) assert.match(p.phone, /\*{4}/);
    assert.equal(p.birth_date, undefined);
  }
  assert.equal(r.json.houses.total, grid.counts.houses);
  assert.equal(r.json.venues.total, grid.counts.venues);
  assert.equal(r.json.disputes.total, grid.counts.open_disputes);
  assert.equal(r.json.directives.total, grid.counts.open_directives);
  assert.equal(r.json.alerts.total, grid.counts.alerts);
  for (const a of r.json.alerts.items) {
    assert.equal(a.caller_phone, undefined, 'no caller details');
    assert.ok(Date.parse(a.received_at) >= Date.now() - 31 * 86400000);
  }
  // The operator reads people with addresses masked, as in the registry.
  const op = await as.operator.get(`/api/v1/grids/${GRID}`);
  const withAddr = op.json.people.items.find((p) => p.address);
  if (withAddr) assert.match(withAddr.address, /\*{4}$/);
  // Reading the grid page writes no person.read entries (lists are masked summaries).
  const audit = await loginAs(srv, who(srv, 'auditor'));
  const reads = await audit.get('/api/v1/audit?action=person.read&per_page=5');
  assert.equal(reads.json.total ?? reads.json.items.length, 0);
});

test('staff phones are masked for roles without phone.read or grid.manage', async () => {
  const named = (g) => g.staff.grid_workers.find((m) => !m.user_id && m.phone);
  const gw = (await as.gridworker.get(`/api/v1/grids/${GRID}`)).json.grid;
  const ch = (await as.chief.get(`/api/v1/grids/${GRID}`)).json.grid;
  assert.match(named(gw).phone, /^1\d{2}\*{4}\d{4}$/);
  assert.match(named(ch).phone, /^1\d{10}$/);
});

test('alerts and directives placed in the grid show in its counts and sections', async () => {
  const page0 = (await as.chief.get(`/api/v1/grids/${GRID}`)).json;
  const { lat, lon } = page0.grid.centroid;
  const iso = (ms) => new Date(ms).toISOString();
  const sent = [];
  for (const [i, cat] of [[2, 'public_order.fight'], [1, 'traffic.accident']].entries()) {
    const r = await as.operator.post('/api/v1/alerts', {
      received_at: iso(Date.now() - (cat[0] * 3600 * 1000)), source: 'phone_110', caller_name: '王先生', caller_phone: '1390000111' + i,
      address: `网格测试地点${i}号`, location: { lat: lat + i * 0.001, lon }, category: cat[1], description: `网格测试警情 ${i}`,
    });
    assert.equal(r.status, 201, r.text);
    sent.push(r.json.alert.id);
  }
  const d = await as.chief.post('/api/v1/directives', {
    target_team: 'community', target_grid: GRID, title: '网格走访排查', what_to_do: '对近期警情所在楼栋逐户走访', deadline_at: iso(Date.now() + 3 * 86400000),
  });
  assert.equal(d.status, 201, d.text);
  const page = (await as.community.get(`/api/v1/grids/${GRID}`)).json;
  assert.equal(page.grid.counts.alerts, page0.grid.counts.alerts + 2);
  assert.equal(page.grid.counts.open_directives, page0.grid.counts.open_directives + 1);
  assert.ok(page.directives.items.some((x) => x.id === d.json.directive.id));
  assert.deepEqual(page.alerts.items.slice(0, 2).map((a) => a.id), sent.slice().reverse(), 'newest first');
  for (const a of page.alerts.items) {
    assert.equal(a.caller_phone, undefined, 'no caller details');
    assert.equal(a.caller_name, undefined);
  }
  // The list agrees.
  const list = (await as.chief.get('/api/v1/grids')).json.items.find((g) => g.code === GRID);
  assert.equal(list.counts.alerts, page.grid.counts.alerts);
  // The alerts page pages.
  const r = await as.operator.get(`/api/v1/grids/${GRID}/alerts?per_page=1&page=2`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.days, 30);
  assert.deepEqual(r.json.items.map((a) => a.id), [sent[0]]);
  assert.equal(r.json.total, page.grid.counts.alerts);
  assertError(await as.operator.get(`/api/v1/grids/${GRID}/alerts?per_page=0`), 400, 'invalid_query', 'per_page');
  assertError(await as.chief2.get(`/api/v1/grids/${GRID}/alerts`), 404, 'not_found');
  // Another grid's counts are untouched.
  const other = (await as.chief.get(`/api/v1/grids/${OTHER}`)).json.grid;
  assert.equal(other.counts.alerts, 0);
});

test('visit coverage: a visit at a house of the grid counts, as the coverage KPI counts it', async () => {
  const before = (await as.community.get(`/api/v1/grids/${GRID}`)).json;
  const house = before.houses.items[0];
  const r = await as.community.post('/api/v1/visits', { house_id: house.id, purpose: 'routine', people_met: ['户主'], learned: '情况正常' });
  assert.equal(r.status, 201, r.text);
  const after = (await as.community.get(`/api/v1/grids/${GRID}`)).json.grid.coverage;
  assert.equal(after.visited, before.grid.coverage.visited + 1);
  assert.equal(after.houses, before.grid.coverage.houses);
  assert.ok(Math.abs(after.share - after.visited / after.houses) < 1e-9);
  const kpi = await as.community.get('/api/v1/kpi/visit-coverage?days=30');
  assert.equal(kpi.status, 200, kpi.text);
  const k = kpi.json.grids.find((g) => g.unit === GRID);
  assert.deepEqual([k.houses, k.visited], [after.houses, after.visited]);
  const sorted = (await as.chief.get('/api/v1/grids?sort=-coverage')).json.items;
  assert.equal(sorted[0].code, GRID, 'the only visited grid sorts first by coverage');
});

test('setting a grid’s staff: rights, validation naming the member, versions, audit', async () => {
  const url = `/api/v1/grids/${OTHER}/staff`;
  const before = (await as.chief.get(`/api/v1/grids/${OTHER}`)).json.grid;
  const body = {
    officer: { user_id: as.community.user.id },
    auxiliaries: [{ name: '钱多多', phone: '139 1234 5678' }],
    grid_workers: [{ name: '孙小梅' }, { name: '李四', phone: '0575-87654321' }],
    version: before.staff.version,
  };
  assertError(await as.community.put(url, body), 403, 'forbidden');
  assertError(await as.operator.put(url, body), 403, 'forbidden');
  assertError(await as.chief2.put(url, body), 404, 'not_found');
  assertError(await as.chief.put('/api/v1/grids/339902100999/staff', body), 404, 'not_found');
  const bad = [
    [{ ...body, officer: { user_id: as.gridworker.user.id } }, 'invalid_staff', 'officer.user_id'],
    [{ ...body, officer: { user_id: as.chief2.user.id } }, 'invalid_staff', 'officer.user_id'],
    [{ ...body, officer: { user_id: '00000000-0000-7000-8000-000000000000' } }, 'invalid_staff', 'officer.user_id'],
    [{ ...body, officer: { user_id: as.community.user.id, name: '王' } }, 'invalid_staff', 'officer.name'],
    [{ ...body, auxiliaries: [{ name: '钱多多', phone: '12' }] }, 'invalid_phone', 'auxiliaries[0].phone'],
    [{ ...body, auxiliaries: [{ phone: '13912345678' }] }, 'missing_field', 'auxiliaries[0].name'],
    [{ ...body, grid_workers: [{ name: '甲' }, { name: 'x'.repeat(33) }] }, 'too_long', 'grid_workers[1].name'],
    [{ ...body, grid_workers: [{ name: '甲', age: 3 }] }, undefined, 'grid_workers[0].age'],
    [{ ...body, grid_workers: 'all' }, 'invalid_type', 'grid_workers'],
    [{ ...body, officer: 'me' }, 'invalid_type', 'officer'],
    [{ ...body, leader: 1 }, undefined, 'leader'],
    [{ ...body, auxiliaries: Array.from({ length: 11 }, (_, i) => ({ name: `辅警${i}` })) }, 'too_many', 'auxiliaries'],
  ];
  for (const [b, code, field] of bad) {
    const r = await as.chief.put(url, b);
    assert.ok(r.status === 400 || r.status === 413, `${field}: ${r.status} ${r.text}`);
    assertError(r, r.status, code ?? r.json.error.code, field);
  }
  // The same user twice.
  const twice = await as.chief.put(url, { ...body, officer: { user_id: as.community.user.id }, grid_workers: [{ user_id: as.gridworker.user.id }, { user_id: as.gridworker.user.id }] });
  assertError(twice, 400, 'duplicate_staff', 'grid_workers[1].user_id');
  // Nothing was written by the refusals.
  assert.deepEqual((await as.chief.get(`/api/v1/grids/${OTHER}`)).json.grid.staff, before.staff);

  const ok = await as.chief.put(url, body);
  assert.equal(ok.status, 200, ok.text);
  const s = ok.json.grid.staff;
  assert.equal(s.officer.user_id, as.community.user.id);
  assert.deepEqual(s.auxiliaries.map((m) => [m.name, m.phone]), [['钱多多', '13912345678']]);
  assert.deepEqual(s.grid_workers.map((m) => [m.name, m.phone]), [['孙小梅', null], ['李四', '057587654321']]);
  assert.equal(s.version, before.staff.version + 1);
  // A stale version is refused; the admin may set staff too; clearing works.
  assertError(await as.chief.put(url, body), 409, 'stale_version', 'version');
  const cleared = await as.admin.put(url, { version: s.version });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.grid.staff.officer, null);
  assert.deepEqual(cleared.json.grid.staff.grid_workers, []);
  assert.equal(cleared.json.grid.staff.version, s.version + 1);
  // Both writes are audited, without names or phones.
  const audit = await as.auditor.get('/api/v1/audit?action=grid.staff&per_page=50');
  const mine = audit.json.items.filter((e) => e.object_id === OTHER && e.username !== 'demo');
  assert.deepEqual(mine.map((e) => e.username).sort(), ['admin', 'chief']);
  assert.doesNotMatch(JSON.stringify(mine), /钱多多|13912345678/);
});

test('police posts: their grids and staff; reassigning grids, refusals', async () => {
  const r = await as.chief.get('/api/v1/posts');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 5);
  const grids = r.json.items.flatMap((p) => p.grids.map((g) => g.code));
  assert.equal(grids.length, 40, 'every grid of the station has one post');
  assert.equal(new Set(grids).size, 40);
  for (const p of r.json.items) assert.ok(p.staff.some((m) => m.duty === 'officer'), `${p.code} has an officer`);
  assert.equal((await as.chief2.get('/api/v1/posts')).json.total, 0, 'the other station has no posts');

  const [a, b] = r.json.items;
  const moved = a.grids[0].code;
  const url = `/api/v1/posts/${b.code}`;
  const body = { grids: [...b.grids.map((g) => g.code), moved], staff: [{ duty: 'officer', user_id: as.community.user.id }, { duty: 'auxiliary', name: '周辅警', phone: '13700001111' }], version: b.version };
  assertError(await as.community.put(url, body), 403, 'forbidden');
  assertError(await as.chief2.put(url, body), 404, 'not_found');
  assertError(await as.chief.put(`/api/v1/posts/${GRID}`, body), 404, 'not_found'); // a grid is no post
  assertError(await as.chief.put(url, { ...body, grids: ['339902101001'] }), 400, 'invalid_grid', 'grids[0]');
  assertError(await as.chief.put(url, { ...body, grids: [moved, 'nope'] }), 400, 'invalid_grid', 'grids[1]');
  assertError(await as.chief.put(url, { ...body, staff: [{ duty: 'grid_worker', name: '甲' }] }), 400, 'invalid_value', 'staff[0].duty');
  assertError(await as.chief.put(url, { ...body, staff: [{ name: '甲' }] }), 400, 'missing_field', 'staff[0].duty');
  const ok = await as.chief.put(url, body);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.json.post.grids.some((g) => g.code === moved));
  assert.deepEqual(ok.json.post.staff.map((m) => m.duty), ['auxiliary', 'officer'].sort());
  const after = (await as.chief.get('/api/v1/posts')).json.items;
  assert.ok(!after.find((p) => p.code === a.code).grids.some((g) => g.code === moved), 'the grid left its former post');
  assert.equal((await as.chief.get(`/api/v1/grids/${moved}`)).json.grid.post.code, b.code);
  assertError(await as.chief.put(url, body), 409, 'stale_version', 'version');
  const audit = await as.auditor.get('/api/v1/audit?action=post.assign&per_page=50');
  assert.ok(audit.json.items.some((e) => e.object_id === b.code && e.username === 'chief'));
});
