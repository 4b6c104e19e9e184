// Rentals and the registration of the floating population (流动人口居住登记):
// each tenant's registration expiry and its state at today's China date
// (expired, expiring within 30 days, valid), the houses list filtered to the
// ones needing a reminder, the occupants and tenants of a house masked for
// every role, and validation naming the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { idNumber } from '../lib/idgen.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

let srv;
const as = {};
const houses = {};
const people = {};

/** The China date (YYYY-MM-DD) days from now. */
const cstDate = (days) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer({ demo: true, registry: 'none' });
  for (const name of ['chief', 'community', 'gridworker', 'operator']) as[name] = await loginAs(srv, who(srv, name));
  for (const [key, address] of [['soon', '枫溪镇桃园路21号'], ['later', '枫溪镇桃园路22号'], ['gone', '枫溪镇桃园路23号'], ['ended', '枫溪镇桃园路24号']]) {
    const r = await as.community.post('/api/v1/houses', { address, owner_name: '房东' });
    assert.equal(r.status, 201, r.text);
    houses[key] = r.json.house;
  }
  let seq = 101;
  for (const key of ['soon', 'later', 'gone', 'ended']) {
    const r = await as.community.post('/api/v1/people', {
      name: `租客${key}`, id_number: idNumber('510104', '1992-05-06', seq += 2), phone: '13655556666', categories: ['floating'],
    });
    assert.equal(r.status, 201, r.text);
    people[key] = r.json.person;
  }
});

after(async () => {
  await stopAndCheck(srv);
});

async function rent(key, body) {
  const r = await as.community.post(`/api/v1/houses/${houses[key].id}/rentals`, { start_date: cstDate(-100), tenant_ids: [people[key].id], ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.house;
}

test('each tenant shows their registration expiry and its state', async () => {
  let h = await rent('soon', { registration_expires: cstDate(10) });
  let t = h.rentals[0].tenants[0];
  assert.equal(t.registration_expires, cstDate(10));
  assert.equal(t.registration_state, 'expiring');
  assert.equal(h.rentals[0].active, true);
  h = await rent('later', { registration_expires: cstDate(31), end_date: cstDate(200) });
  assert.equal(h.rentals[0].tenants[0].registration_state, 'valid');
  h = await rent('gone', { registration_expires: cstDate(-1) });
  assert.equal(h.rentals[0].tenants[0].registration_state, 'expired');
  h = await rent('ended', { registration_expires: cstDate(-20), end_date: cstDate(-10) });
  assert.equal(h.rentals[0].active, false);
  assert.equal(h.rentals[0].tenants[0].registration_state, 'expired');
  // Without an expiry the state is unknown.
  const r = await as.community.post('/api/v1/people', { name: '无登记', id_number: idNumber('510104', '1993-01-02', 201), categories: ['floating'] });
  h = (await as.community.post(`/api/v1/houses/${houses.later.id}/rentals`, { start_date: cstDate(-5), tenant_ids: [r.json.person.id] })).json.house;
  const none = h.rentals.flatMap((x) => x.tenants).find((x) => x.name === '无登记');
  assert.equal(none.registration_expires, null);
  assert.equal(none.registration_state, null);
});

test('occupants and tenants are masked for every role, even the chief', async () => {
  const r = await as.chief.get(`/api/v1/houses/${houses.soon.id}`);
  assert.equal(r.status, 200, r.text);
  const o = r.json.house.occupants[0];
  assert.equal(o.name, '租客soon');
  assert.match(o.id_number, /^510104\*{8}\d{3}[\dX]$/);
  assert.equal(o.phone, '136****6666');
  assert.equal(o.birth_year, 1992);
  const t = r.json.house.rentals[0].tenants[0];
  assert.equal(t.id_number, o.id_number);
  assert.equal(t.phone, '136****6666');
});

test('the list of houses needing a reminder: current rentals expired or expiring within 30 days', async () => {
  const r = await as.chief.get('/api/v1/houses?expiring=1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((h) => h.id).sort(), [houses.soon.id, houses.gone.id].sort());
  assert.equal(r.json.total, 2);
  const all = await as.chief.get('/api/v1/houses?expiring=0');
  assert.equal(all.json.total, 4);
  const q = await as.chief.get(`/api/v1/houses?expiring=1&q=${encodeURIComponent('桃园路21')}`);
  assert.deepEqual(q.json.items.map((h) => h.id), [houses.soon.id]);
  assertError(await as.chief.get('/api/v1/houses?expiring=yes'), 400, 'invalid_query', 'expiring');
});

test('validation names the field', async () => {
  const body = { start_date: cstDate(0), tenant_ids: [people.soon.id] };
  assertError(await as.community.post(`/api/v1/houses/${houses.soon.id}/rentals`, { ...body, registration_expires: '2026-2-3' }), 400, 'invalid_value', 'registration_expires');
  assertError(await as.community.post(`/api/v1/houses/${houses.soon.id}/rentals`, { ...body, registration_expires: cstDate(-1) }), 400, 'invalid_value', 'registration_expires');
  assertError(await as.operator.post(`/api/v1/houses/${houses.soon.id}/rentals`, body), 403, 'forbidden');
});
