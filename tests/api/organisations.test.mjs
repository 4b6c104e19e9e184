// Organisations and venues: USCC validation and duplicates, types and the
// regulated flag, placement in grids, scope, masking of the responsible
// person's phone, search, and houses' address masking for the operator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { uscc } from '../lib/idgen.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const GRID_A = '339902100001';
let srv, centroid;
const as = {};

before(async () => {
  // No demo registries: the counts below are exact.
  srv = await startServer({ demo: true, registry: 'none' });
  for (const name of ['chief', 'operator', 'community', 'gridworker', 'volunteer', 'chief2']) as[name] = await loginAs(srv, who(srv, name));
  const u = (await as.chief.get(`/api/v1/units/${GRID_A}`)).json;
  centroid = u.unit?.centroid || u.centroid;
});

after(async () => {
  await stopAndCheck(srv);
});

const CODE = uscc('91339902MA2H3K4L5');
let cafe;

test('a venue with a valid USCC is registered in its grid; bad codes and duplicates are refused', async () => {
  let r = await as.community.post('/api/v1/organisations', {
    name: '星际网络会所', uscc: CODE.toLowerCase(), type: 'internet_cafe', address: '枫溪镇桃园路8号二楼',
    location: centroid, responsible_name: '郑国强', responsible_phone: '13911112222', employees: 6,
  });
  assert.equal(r.status, 201, r.text);
  cafe = r.json.organisation;
  assert.equal(cafe.uscc, CODE);
  assert.equal(cafe.regulated, true);
  assert.equal(cafe.grid, GRID_A);
  assert.equal(cafe.responsible_phone, '13911112222', 'the community officer may see venue contacts');
  const bad = CODE.slice(0, 17) + (CODE[17] === '0' ? '1' : '0');
  assertError(await as.community.post('/api/v1/organisations', { name: '甲', uscc: bad, type: 'small_shop', address: '某路1号' }), 400, 'uscc_checksum', 'uscc');
  assertError(await as.community.post('/api/v1/organisations', { name: '甲', type: 'casino', address: '某路1号' }), 400, 'invalid_value', 'type');
  assertError(await as.community.post('/api/v1/organisations', { name: '甲', type: 'small_shop' }), 400, 'missing_field', 'address');
  const e = assertError(await as.community.post('/api/v1/organisations', { name: '另一家', uscc: CODE, type: 'small_shop', address: '某路2号' }), 409, 'duplicate_uscc', 'uscc');
  assert.match(e.message, new RegExp(cafe.id));
  r = await as.community.post('/api/v1/organisations', { name: '老街小卖部', type: '小商店', address: '枫溪镇老街3号' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.organisation.type, 'small_shop');
  assert.equal(r.json.organisation.regulated, false);
});

test('lists filter by type and regulated, search by name, and stay in scope', async () => {
  let r = await as.chief.get('/api/v1/organisations?regulated=1');
  assert.deepEqual(r.json.items.map((o) => o.id), [cafe.id]);
  r = await as.chief.get('/api/v1/organisations?type=small_shop');
  assert.equal(r.json.total, 1);
  r = await as.chief.get(`/api/v1/organisations?q=${encodeURIComponent('網絡')}`);
  assert.deepEqual(r.json.items.map((o) => o.id), [cafe.id]);
  r = await as.gridworker.get(`/api/v1/organisations/${cafe.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.organisation.responsible_phone, '139****2222');
  assertError(await as.chief2.get(`/api/v1/organisations/${cafe.id}`), 404, 'not_found');
  assertError(await as.volunteer.get('/api/v1/organisations'), 403, 'forbidden');
  assertError(await as.operator.post('/api/v1/organisations', { name: '甲', type: 'small_shop', address: '某路9号' }), 403, 'forbidden');
  assertError(await as.chief.get('/api/v1/organisations?regulated=yes'), 400, 'invalid_query', 'regulated');
  r = await as.community.patch(`/api/v1/organisations/${cafe.id}`, { version: 1, employees: 8 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.organisation.employees, 8);
  assertError(await as.community.patch(`/api/v1/organisations/${cafe.id}`, { version: 1, employees: 9 }), 409, 'stale_version', 'version');
});

test('houses: the operator sees masked addresses and no coordinates', async () => {
  let r = await as.community.post('/api/v1/houses', { address: '枫溪镇桃园路8号', location: centroid, use: 'commercial' });
  assert.equal(r.status, 201, r.text);
  const h = r.json.house;
  r = await as.operator.get(`/api/v1/houses/${h.id}`);
  assert.equal(r.json.house.address, '枫溪镇桃园路****');
  assert.equal(r.json.house.location, null);
  r = await as.chief.get(`/api/v1/houses?q=${encodeURIComponent('桃园路8')}&use=commercial`);
  assert.deepEqual(r.json.items.map((x) => x.id), [h.id]);
  assertError(await as.gridworker.get('/api/v1/houses?use=palace'), 400, 'invalid_query', 'use');
});
