// The community registries' people API: validation naming the field, ID
// number duplicates (409) and name + birth date + house duplicates (a
// warning), placement of houses in their grid, masking per role, the
// reveal with its reason and audit entry, the audit of every detail read,
// scope (out of scope = 404), the restricted "concern" category, Chinese
// search (two-character words, Traditional script, partial addresses,
// phone tails), pagination and sorting, and stale versions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { idNumber } from '../lib/idgen.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const GRID_A = '339902100001'; // the grid worker's and volunteer's grid
const GRID_B = '339902100002'; // another grid of the same station

let srv;
const as = {};
const at = {}; // grid centroids

before(async () => {
  // No demo registries: the counts below are exact.
  srv = await startServer({ demo: true, registry: 'none' });
  for (const name of ['chief', 'operator', 'community', 'caseofficer', 'auxiliary', 'gridworker', 'volunteer', 'analyst', 'auditor', 'chief2']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
  for (const g of [GRID_A, GRID_B]) {
    const r = await as.chief.get(`/api/v1/units/${g}`);
    assert.equal(r.status, 200, r.text);
    at[g] = r.json.unit?.centroid || r.json.centroid;
    assert.ok(at[g] && typeof at[g].lat === 'number', `centroid of ${g}: ${r.text}`);
  }
});

after(async () => {
  await stopAndCheck(srv);
});

const ADDR_A = '枫溪镇桃园路12号3栋201室';
const ADDR_B = '枫溪镇梅岭村五组28号';
let houseA, houseB, p1, p2, p3;
const ID1 = idNumber('339902', '1958-03-14', 123); // male
const ID2 = idNumber('339902', '1990-07-01', 246); // female
const ID3 = idNumber('339902', '1958-03-14', 135); // same birth date as ID1

test('houses are placed in their grid by point-in-polygon', async () => {
  let r = await as.community.post('/api/v1/houses', { address: ADDR_A, location: at[GRID_A], use: 'self_occupied' });
  assert.equal(r.status, 201, r.text);
  houseA = r.json.house;
  assert.equal(houseA.grid, GRID_A);
  assert.equal(houseA.unit, GRID_A);
  assert.equal(houseA.station, '339902510000');
  r = await as.community.post('/api/v1/houses', { address: ADDR_B, location: at[GRID_B] });
  assert.equal(r.status, 201, r.text);
  houseB = r.json.house;
  assert.equal(houseB.grid, GRID_B);
  // The same address again (full-width digits, other punctuation): a duplicate naming the first.
  r = await as.community.post('/api/v1/houses', { address: '枫溪镇桃园路１２号3栋 201室', location: at[GRID_A] });
  const e = assertError(r, 409, 'duplicate_address', 'address');
  assert.match(e.message, new RegExp(houseA.id));
  // A point outside every grid with no unit: the house goes to the user's unit (the station).
  r = await as.community.post('/api/v1/houses', { address: '外地某处1号', location: { lat: 10, lon: 100 } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.house.grid, null);
  assert.equal(r.json.house.unit, '339902510000');
  // Validation names the field.
  assertError(await as.community.post('/api/v1/houses', { location: at[GRID_A] }), 400, 'missing_field', 'address');
  assertError(await as.community.post('/api/v1/houses', { address: '某路1号', use: 'castle' }), 400, 'invalid_value', 'use');
  assertError(await as.community.post('/api/v1/houses', { address: '某路2号', location: { lat: 95, lon: 120 } }), 400, 'out_of_range', 'location');
});

test('people: validation names the field; ID duplicates are refused, name + birth + house ones warned', async () => {
  const base = { name: '欧阳建国', id_number: ID1, phone: '138-1234-5678', house_id: houseA.id, hukou: '浙江省枫溪县桃园路12号', categories: ['resident'] };
  let r = await as.community.post('/api/v1/people', base);
  assert.equal(r.status, 201, r.text);
  p1 = r.json.person;
  assert.equal(p1.id_number, `339902********${ID1.slice(-4)}`);
  assert.equal(p1.phone, '138****5678');
  assert.equal(p1.sex, 'M');
  assert.equal(p1.birth_year, 1958);
  assert.equal(p1.birth_date, undefined, 'the birth date is part of the masked ID number');
  assert.equal(p1.unit, GRID_A);
  assert.deepEqual(r.json.warnings, []);

  r = await as.community.post('/api/v1/people', { ...base, name: '别人' });
  const e = assertError(r, 409, 'duplicate_id_number', 'id_number');
  assert.match(e.message, new RegExp(p1.id), 'the 409 names the existing record');
  // The 15-digit form of the same person is the same number.
  const old15 = ID1.slice(0, 6) + ID1.slice(8, 17);
  assertError(await as.community.post('/api/v1/people', { ...base, id_number: old15 }), 409, 'duplicate_id_number', 'id_number');

  r = await as.community.post('/api/v1/people', { ...base, id_number: ID3, phone: '13900001111' });
  assert.equal(r.status, 201, r.text);
  p3 = r.json.person;
  assert.deepEqual(r.json.warnings.map((w) => [w.code, w.person_id]), [['possible_duplicate', p1.id]]);

  const bad = ID2.slice(0, 17) + (ID2[17] === '0' ? '1' : '0');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: bad }), 400, 'id_checksum', 'id_number');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: ID2, sex: 'M' }), 400, 'id_mismatch', 'sex');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: ID2, birth_date: '1990-07-02' }), 400, 'id_mismatch', 'birth_date');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: ID2, phone: '12' }), 400, 'phone_format', 'phone');
  assertError(await as.community.post('/api/v1/people', { id_number: ID2 }), 400, 'missing_field', 'name');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: ID2, categories: ['vip'] }), 400, 'invalid_value', 'categories');
  assertError(await as.community.post('/api/v1/people', { name: '甲', id_number: ID2, shoe_size: 42 }), 400, 'unknown_field', 'shoe_size');

  r = await as.community.post('/api/v1/people', { name: '陳美玲', id_number: ID2, sex: '女', birth_date: '1990-07-01', phone: '０５７５－８７６５４３２１', house_id: houseB.id, categories: ['floating'] });
  assert.equal(r.status, 201, r.text);
  p2 = r.json.person;
  assert.equal(p2.unit, GRID_B);
  assert.equal(p2.phone, '0575****4321');
});

test('GET /people?q= masks per role and stays in scope', async () => {
  const q = encodeURIComponent('欧阳建国');
  // Chief and community officer: identifiers masked, full address.
  for (const name of ['chief', 'community', 'caseofficer', 'auxiliary']) {
    const r = await as[name].get(`/api/v1/people?q=${q}`);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.json.total, 2, name);
    for (const it of r.json.items) {
      assert.match(it.id_number, /^339902\*{8}\d{3}[\dX]$/, name);
      assert.match(it.phone, /^1\d\d\*{4}\d{4}$/, name);
      assert.equal(it.address, ADDR_A, name);
    }
    assert.ok(!JSON.stringify(r.json).includes(ID1), `${name} never sees the full ID number in a list`);
  }
  // The operator: identifiers and the address masked.
  let r = await as.operator.get(`/api/v1/people?q=${q}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items[0].address, '枫溪镇桃园路****');
  assert.ok(!JSON.stringify(r.json).includes('12号'));
  // The grid worker sees their grid's people, not the next grid's.
  r = await as.gridworker.get(`/api/v1/people?q=${q}`);
  assert.equal(r.json.total, 2);
  r = await as.gridworker.get(`/api/v1/people?q=${encodeURIComponent('陈美玲')}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 0);
  assertError(await as.gridworker.get(`/api/v1/people/${p2.id}`), 404, 'not_found');
  // Another station sees nothing of this one.
  r = await as.chief2.get(`/api/v1/people?q=${q}`);
  assert.equal(r.json.total, 0);
  assertError(await as.chief2.get(`/api/v1/people/${p1.id}`), 404, 'not_found');
  // Volunteers and analysts have no access to the people registry.
  assertError(await as.volunteer.get(`/api/v1/people?q=${q}`), 403, 'forbidden');
  assertError(await as.analyst.get(`/api/v1/people?q=${q}`), 403, 'forbidden');
  assertError(await as.volunteer.get(`/api/v1/houses/${houseA.id}`), 403, 'forbidden');
});

async function auditEntries(query) {
  const r = await as.auditor.get(`/api/v1/audit?${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

test('every read of a person\'s details is audited', async () => {
  const before = (await auditEntries(`action=person.read&object_id=${p1.id}`)).length;
  const r = await as.gridworker.get(`/api/v1/people/${p1.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.person.id_number, `339902********${ID1.slice(-4)}`);
  assert.equal(r.json.person.hukou, '浙江省枫溪县桃园路12号');
  const after = await auditEntries(`action=person.read&object_id=${p1.id}`);
  assert.equal(after.length, before + 1);
  assert.equal(after[0].username, 'gridworker');
  // A refused read is not a read.
  await as.chief2.get(`/api/v1/people/${p1.id}`);
  assert.equal((await auditEntries(`action=person.read&object_id=${p1.id}`)).length, before + 1);
});

test('reveal: a reason of at least 4 characters, the unmasked record, an audit entry with the reason', async () => {
  assertError(await as.community.post(`/api/v1/people/${p1.id}/reveal`, {}), 400, 'missing_field', 'reason');
  assertError(await as.community.post(`/api/v1/people/${p1.id}/reveal`, { reason: '查看' }), 400, 'too_short', 'reason');
  assertError(await as.gridworker.post(`/api/v1/people/${p1.id}/reveal`, { reason: '入户核查身份' }), 403, 'forbidden');
  assertError(await as.operator.post(`/api/v1/people/${p1.id}/reveal`, { reason: '入户核查身份' }), 403, 'forbidden');
  assertError(await as.chief2.post(`/api/v1/people/${p1.id}/reveal`, { reason: '入户核查身份' }), 404, 'not_found');
  const reason = '走访核实户籍信息';
  const r = await as.community.post(`/api/v1/people/${p1.id}/reveal`, { reason });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.person.id_number, ID1);
  assert.equal(r.json.person.phone, '13812345678');
  assert.equal(r.json.person.birth_date, '1958-03-14');
  const log = await auditEntries(`action=person.reveal&object_id=${p1.id}`);
  assert.equal(log.length, 1, 'refused reveals are not logged as reveals');
  assert.equal(log[0].reason, reason);
  assert.equal(log[0].username, 'community');
});

test('the concern category is visible and settable only by the roles that work with it', async () => {
  let r = await as.community.patch(`/api/v1/people/${p1.id}`, { version: 1, categories: ['resident', 'concern', 'elderly_alone'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.person.categories.sort(), ['concern', 'elderly_alone', 'resident']);
  r = await as.gridworker.get(`/api/v1/people/${p1.id}`);
  assert.deepEqual(r.json.person.categories.sort(), ['elderly_alone', 'resident']);
  r = await as.auxiliary.get(`/api/v1/people?q=${encodeURIComponent('欧阳')}`);
  assert.ok(!JSON.stringify(r.json).includes('concern'));
  assertError(await as.gridworker.get('/api/v1/people?category=concern'), 403, 'forbidden', 'category');
  r = await as.chief.get('/api/v1/people?category=concern');
  assert.deepEqual(r.json.items.map((x) => x.id), [p1.id]);
  // A grid worker's edit of the categories keeps the flag they cannot see; setting it is refused.
  assertError(await as.gridworker.patch(`/api/v1/people/${p1.id}`, { version: 2, categories: ['concern'] }), 403, 'forbidden', 'categories');
  r = await as.gridworker.patch(`/api/v1/people/${p1.id}`, { version: 2, categories: ['needs_care'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.person.categories, ['needs_care']);
  r = await as.community.get(`/api/v1/people/${p1.id}`);
  assert.deepEqual(r.json.person.categories.sort(), ['concern', 'needs_care']);
  // Stale version.
  assertError(await as.community.patch(`/api/v1/people/${p1.id}`, { version: 2, notes: '迟到的修改' }), 409, 'stale_version', 'version');
  assertError(await as.community.patch(`/api/v1/people/${p1.id}`, { notes: '无版本' }), 400, 'missing_field', 'version');
});

test('search works for Chinese: two-character words, Traditional script, partial addresses, phone and ID tails', async () => {
  const ids = async (who, q) => {
    const r = await as[who].get(`/api/v1/people?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    return r.json.items.map((x) => x.id).sort();
  };
  const both = [p1.id, p3.id].sort();
  assert.deepEqual(await ids('chief', '阳建'), both, 'a two-character word inside a name');
  assert.deepEqual(await ids('chief', '歐陽'), both, 'Traditional script');
  assert.deepEqual(await ids('chief', '陈美'), [p2.id], 'Simplified query, Traditional name');
  assert.deepEqual(await ids('chief', '桃园路12'), both, 'partial address');
  assert.deepEqual(await ids('chief', '路12号'), both, 'partial address across a number');
  assert.deepEqual(await ids('chief', '5678'), [p1.id], 'phone tail');
  assert.deepEqual(await ids('chief', ID2.slice(-4)), [p2.id], 'ID number tail');
  assert.deepEqual(await ids('chief', '玲'), [p2.id], 'one character');
  assert.deepEqual(await ids('chief', '欧阳 梅岭'), [], 'terms are ANDed');
  assert.deepEqual(await ids('chief', '阳国'), [], 'characters must be adjacent');
  assertError(await as.chief.get('/api/v1/people?q=%20%2C%20'), 400, 'invalid_query', 'q');
});

test('lists page and sort; bad parameters name the field', async () => {
  let r = await as.chief.get('/api/v1/people?per_page=1&sort=name');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 3);
  assert.equal(r.json.items.length, 1);
  const first = r.json.items[0].id;
  r = await as.chief.get('/api/v1/people?per_page=1&page=3&sort=name');
  assert.notEqual(r.json.items[0].id, first);
  r = await as.chief.get('/api/v1/people?sort=-created_at');
  assert.deepEqual(r.json.items.map((x) => x.id), [p2.id, p3.id, p1.id]);
  assertError(await as.chief.get('/api/v1/people?sort=shoe'), 400, 'invalid_query', 'sort');
  assertError(await as.chief.get('/api/v1/people?per_page=500'), 400, 'invalid_query', 'per_page');
  assertError(await as.chief.get('/api/v1/people?category=vip'), 400, 'invalid_query', 'category');
  r = await as.chief.get(`/api/v1/people?unit=${GRID_B}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [p2.id]);
  assertError(await as.gridworker.get(`/api/v1/people?unit=${GRID_B}`), 400, 'unknown_unit', 'unit');
});

test('rentals: tenants move in and the house becomes rented', async () => {
  let r = await as.community.post(`/api/v1/houses/${houseB.id}/rentals`, { start_date: '2026-01-01', end_date: '2026-12-31', tenant_ids: [p3.id] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.house.use, 'rented');
  assert.deepEqual(r.json.house.rentals[0].tenants.map((t) => t.id), [p3.id]);
  assert.ok(r.json.house.occupants.some((o) => o.id === p3.id));
  r = await as.chief.get(`/api/v1/people/${p3.id}`);
  assert.equal(r.json.person.unit, GRID_B);
  assertError(await as.community.post(`/api/v1/houses/${houseB.id}/rentals`, { start_date: '2026-13-01', tenant_ids: [p3.id] }), 400, 'invalid_value', 'start_date');
  assertError(await as.community.post(`/api/v1/houses/${houseB.id}/rentals`, { start_date: '2026-01-01', tenant_ids: [] }), 400, 'missing_field', 'tenant_ids');
  assertError(await as.gridworker.post(`/api/v1/houses/${houseB.id}/rentals`, { start_date: '2026-01-01', tenant_ids: [p1.id] }), 404, 'not_found');
});

test('a house that moves takes its occupants to its new grid, scope and search', async () => {
  let r = await as.community.post('/api/v1/houses', { address: '枫溪镇柳岸路5号', location: at[GRID_B] });
  assert.equal(r.status, 201, r.text);
  const h = r.json.house;
  r = await as.community.post('/api/v1/people', { name: '柳岸居民', id_number: idNumber('339902', '1975-05-05', 777), house_id: h.id });
  assert.equal(r.status, 201, r.text);
  const p = r.json.person;
  assert.equal(p.unit, GRID_B);
  assertError(await as.gridworker.get(`/api/v1/people/${p.id}`), 404, 'not_found');
  r = await as.community.patch(`/api/v1/houses/${h.id}`, { version: h.version, location: at[GRID_A], address: '枫溪镇柳岸新路5号' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.house.grid, GRID_A);
  r = await as.gridworker.get(`/api/v1/people/${p.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.person.unit, GRID_A);
  assert.equal(r.json.person.address, '枫溪镇柳岸新路5号');
  r = await as.gridworker.get(`/api/v1/people?q=${encodeURIComponent('柳岸新路')}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [p.id], 'the occupant is found by the new address');
  r = await as.gridworker.get(`/api/v1/people?q=${encodeURIComponent('岸')}`);
  assert.ok(r.json.items.some((x) => x.id === p.id), 'one-character search follows the new scope');
  assertError(await as.community.patch(`/api/v1/houses/${h.id}`, { version: h.version, use: 'vacant' }), 409, 'stale_version', 'version');
});

test('writes are audited without personal values', async () => {
  const log = await auditEntries(`action=person.create&object_id=${p2.id}`);
  assert.equal(log.length, 1);
  assert.ok(!JSON.stringify(log[0]).includes(ID2), 'no ID number in the audit detail');
  assert.ok(!JSON.stringify(log[0]).includes('87654321'), 'no phone in the audit detail');
});
