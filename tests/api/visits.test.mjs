// Household visits (入户走访): logged at a house of the registry with whom
// was met and what was learned, a clue reported from the visit, follow-ups,
// coverage of the grids, rights and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

let srv;
const as = {};
let house;
let other; // a second house of the same grid

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['community', 'gridworker', 'volunteer', 'operator', 'chief2', 'auditor', 'caseofficer']) as[name] = await loginAs(srv, who(srv, name));
  // Two houses of the grid worker's own grid (the community officer covers the whole station).
  const r = await as.gridworker.get('/api/v1/houses?per_page=50');
  assert.equal(r.status, 200, r.text);
  const inGrid = r.json.items.filter((h) => h.grid === '339902100001');
  assert.ok(inGrid.length >= 2, `the demo registry has houses in grid 339902100001: ${r.text.slice(0, 300)}`);
  [house, other] = inGrid;
});

after(async () => {
  await stopAndCheck(srv);
});

const visit = (extra = {}) => ({
  house_id: house.id,
  purpose: 'elderly_care',
  people_met: ['户主', '老人'],
  learned: '独居老人，子女在外地务工',
  needs: '希望定期上门看看',
  location: { lat: 29.741, lon: 120.251 },
  ...extra,
});

let v1;

test('a visit is logged at a house; bad input names the field', async () => {
  const bad = [
    [{ ...visit(), house_id: undefined }, 'house_id'],
    [visit({ house_id: '00000000-0000-7000-8000-000000000000' }), 'house_id'],
    [visit({ purpose: 'chat' }), 'purpose'],
    [visit({ visited_at: new Date(Date.now() + 86400000).toISOString() }), 'visited_at'],
    [visit({ follow_up_at: new Date(Date.now() - 86400000).toISOString() }), 'follow_up_at'],
    [visit({ people_met: 'all' }), 'people_met'],
    [visit({ people_met: [''] }), 'people_met'],
    [visit({ location: { lat: 200, lon: 1 } }), 'lat'],
    [visit({ mood: 'good' }), 'mood'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/visits', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  const r = await as.community.post('/api/v1/visits', visit({ follow_up_at: new Date(Date.now() + 7 * 86400000).toISOString() }));
  assert.equal(r.status, 201, r.text);
  v1 = r.json.visit;
  assert.equal(v1.house_id, house.id);
  assert.equal(v1.unit, house.grid);
  assert.equal(v1.officer_id, as.community.user.id);
  assert.deepEqual(v1.people_met, ['户主', '老人']);
  assert.equal(v1.purpose_label, '关爱老人');
  assert.match(v1.number, new RegExp(`^ZF-${house.grid}-\\d{8}-\\d{4}$`));
  assert.equal(r.json.clue, null);
});

test('a clue found on a visit is reported with it, in one transaction', async () => {
  const r = await as.gridworker.post('/api/v1/visits', visit({ house_id: other.id, purpose: 'safety', clue: '租客深夜频繁搬运电动车电池，疑似销赃' }));
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.visit.clue_id);
  assert.equal(r.json.clue.id, r.json.visit.clue_id);
  assert.equal(r.json.clue.source, 'visit');
  assert.equal(r.json.clue.state, 'new');
  const k = await as.caseofficer.get(`/api/v1/clues/${r.json.clue.id}`);
  assert.equal(k.status, 200, k.text);
  // A refused visit leaves no clue behind.
  const before = (await as.caseofficer.get('/api/v1/clues')).json.total;
  const refused = await as.gridworker.post('/api/v1/visits', visit({ purpose: 'nope', clue: '不该留下的线索' }));
  assert.equal(refused.status, 400);
  assert.equal((await as.caseofficer.get('/api/v1/clues')).json.total, before);
});

test('who may log and read visits, and scope', async () => {
  assertError(await as.volunteer.post('/api/v1/visits', visit()), 403, 'forbidden');
  assertError(await as.operator.post('/api/v1/visits', visit()), 403, 'forbidden');
  assert.equal((await as.operator.get('/api/v1/visits')).status, 200, 'operators read the registries');
  assertError(await as.volunteer.get('/api/v1/visits'), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/visits/${v1.id}`), 404, 'not_found');
  assert.equal((await as.chief2.get('/api/v1/visits')).json.total, 0);
  assertError(await as.chief2.post('/api/v1/visits', visit()), 400, 'unknown_house', 'house_id');
  const audit = await as.auditor.get('/api/v1/audit?action=visit.create&per_page=50');
  assert.ok(audit.json.items.some((e) => e.object_id === v1.id && e.username === 'community'));
});

test('lists: by house, mine, follow-ups due; the follow-up is closed once', async () => {
  const byHouse = await as.community.get(`/api/v1/visits?house_id=${house.id}`);
  assert.deepEqual(byHouse.json.items.map((v) => v.id), [v1.id]);
  const mine = await as.gridworker.get('/api/v1/visits?mine=1');
  assert.equal(mine.json.total, 1);
  assert.equal((await as.community.get('/api/v1/visits?follow_up_due=1')).json.total, 0, 'not due yet');
  assertError(await as.community.get('/api/v1/visits?mine=2'), 400, 'invalid_value', 'mine');
  assertError(await as.community.post(`/api/v1/visits/${v1.id}/follow-up`, {}), 400, 'missing_field', 'note');
  const done = await as.community.post(`/api/v1/visits/${v1.id}/follow-up`, { note: '已回访，老人身体尚可', version: v1.version });
  assert.equal(done.status, 200, done.text);
  assert.ok(done.json.visit.follow_up_done_at);
  assertError(await as.community.post(`/api/v1/visits/${v1.id}/follow-up`, { note: '再次' }), 409, 'invalid_state');
});

test('coverage: the share of a grid\'s houses visited in the last N days', async () => {
  const r = await as.community.get(`/api/v1/kpi/visit-coverage?unit=${house.grid}&days=30`);
  assert.equal(r.status, 200, r.text);
  const g = r.json.grids.find((x) => x.unit === house.grid);
  assert.ok(g, r.text);
  const houses = await as.community.get(`/api/v1/houses?unit=${house.grid}&per_page=1`);
  assert.equal(g.houses, houses.json.total, 'every house of the grid counted');
  assert.equal(g.visited, 2, 'two houses of the grid visited');
  assert.ok(Math.abs(g.share - g.visited / g.houses) < 1e-9);
  assert.equal(r.json.houses, g.houses);
  assertError(await as.community.get('/api/v1/kpi/visit-coverage?days=0'), 400, 'invalid_value', 'days');
  assertError(await as.chief2.get(`/api/v1/kpi/visit-coverage?unit=${house.grid}`), 404, 'not_found', 'unit');
});
