// Dispatch API: response units and positions, ranked candidates in the
// 1-3-5 minute bands, the dispatch loop with the incident following it,
// response times, the unacknowledged list, conflicts, coverage, scope
// isolation between 339902510000 and 339902520000, rights, and the audit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck } from './helpers.mjs';

const A = '339902510000';
const B = '339902520000';
const GHOST = '01a20a61-6864-76aa-9928-64fc56f58401';

let srv, operator, chief, chief2, community, volunteer, auditor;

// The incident's place and the test units around it (WGS-84).
const P = { lat: 29.75, lon: 120.25 };
const places = {
  moto: { lat: 29.75, lon: 120.252 }, // ~193 m east
  foot: { lat: 29.7491, lon: 120.25 }, // ~100 m south
  car: { lat: 29.759, lon: 120.25 }, // ~1001 m north
  aux: { lat: 29.75, lon: 120.23 }, // ~1930 m west
  car2: { lat: 29.7505, lon: 120.2505 }, // nearest of all, but off duty
};

// The model of docs/dispatch.md with its defaults.
const SPEED = { car: 40, foot: 5, motorbike: 35, auxiliary_team: 5, volunteer_team: 4 };
const TURNOUT = { car: 30, foot: 10, motorbike: 20, auxiliary_team: 60, volunteer_team: 120 };
const R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;
function haversine(a, b) {
  const sdlat = Math.sin(rad(b.lat - a.lat) / 2), sdlon = Math.sin(rad(b.lon - a.lon) / 2);
  const h = Math.min(1, sdlat * sdlat + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * sdlon * sdlon);
  return 2 * R * Math.asin(Math.sqrt(h));
}
const etaOf = (type, at) => TURNOUT[type] + (haversine(at, P) * 1.3 * 3.6) / SPEED[type];
const band = (s) => (s <= 60 ? 1 : s <= 180 ? 3 : s <= 300 ? 5 : 0);

const ms = (t) => Date.parse(t);
const units = {}; // name → response unit
let incident; // the incident at P
let nearest; // the first dispatch

before(async () => {
  srv = await startServer({ demo: true });
  operator = await loginAs(srv, who(srv, 'operator'));
  chief = await loginAs(srv, who(srv, 'chief'));
  chief2 = await loginAs(srv, who(srv, 'chief2'));
  community = await loginAs(srv, who(srv, 'community'));
  volunteer = await loginAs(srv, who(srv, 'volunteer'));
  auditor = await loginAs(srv, who(srv, 'auditor'));
  // Units the demo data may hold go off duty, so only this file's units rank.
  for (const [c, code] of [[chief, A], [chief2, B]]) {
    const list = await c.get(`/api/v1/response-units?unit=${code}&per_page=200`);
    assert.equal(list.status, 200, list.text);
    for (const u of list.json.items) {
      const r = await c.patch(`/api/v1/response-units/${u.id}`, { status: 'off_duty', version: u.version });
      assert.equal(r.status, 200, r.text);
    }
  }
});

after(async () => {
  await stopAndCheck(srv);
});

async function createUnit(c, body) {
  const r = await c.post('/api/v1/response-units', body);
  assert.equal(r.status, 201, r.text);
  return r.json.response_unit;
}

async function report(c, unit, location, extra = {}) {
  const r = await c.post(`/api/v1/response-units/${unit.id}/positions`, { location, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('response units are created in the caller\'s station with field-named refusals', async () => {
  units.moto = await createUnit(operator, { call_sign: '测试摩巡1组', type: 'motorbike', members: '民警 王伟、辅警 李强' });
  assert.equal(units.moto.unit, A);
  assert.equal(units.moto.type, 'motorbike');
  assert.equal(units.moto.type_label, '摩托车');
  assert.equal(units.moto.status, 'available');
  assert.equal(units.moto.status_label, '空闲');
  assert.equal(units.moto.members, '民警 王伟、辅警 李强');
  assert.equal(units.moto.position, null);
  assert.equal(units.moto.dispatch, null);
  assert.equal(units.moto.version, 1);
  units.foot = await createUnit(operator, { call_sign: '测试步巡1组', type: 'foot', unit: '339902100001' });
  assert.equal(units.foot.unit, A, 'a grid code resolves to its station');
  units.car = await createUnit(operator, { call_sign: '测试巡逻1组', type: 'car', unit: A });
  units.aux = await createUnit(operator, { call_sign: '测试辅警1队', type: 'auxiliary_team' });
  units.vol = await createUnit(operator, { call_sign: '测试志愿1队', type: 'volunteer_team' });
  units.car2 = await createUnit(operator, { call_sign: '测试巡逻2组', type: 'car', status: 'off_duty' });
  assert.equal(units.car2.status, 'off_duty');
  units.b = await createUnit(chief2, { call_sign: '清塘测试1组', type: 'car' });
  assert.equal(units.b.unit, B);

  assertError(await operator.post('/api/v1/response-units', { call_sign: '测试摩巡1组', type: 'car' }), 409, 'call_sign_taken', 'call_sign');
  // The same call sign in another station is fine.
  const other = await chief2.post('/api/v1/response-units', { call_sign: '测试摩巡1组', type: 'motorbike' });
  assert.equal(other.status, 201, other.text);
  const bad = [
    [{ type: 'car' }, 'missing_field', 'call_sign'],
    [{ call_sign: '  ', type: 'car' }, 'missing_field', 'call_sign'],
    [{ call_sign: 'x'.repeat(33), type: 'car' }, 'too_long', 'call_sign'],
    [{ call_sign: 'T1' }, 'missing_field', 'type'],
    [{ call_sign: 'T1', type: 'tank' }, 'invalid_value', 'type'],
    [{ call_sign: 'T1', type: 'car', status: 'en_route' }, 'invalid_value', 'status'],
    [{ call_sign: 'T1', type: 'car', status: 'sleeping' }, 'invalid_value', 'status'],
    [{ call_sign: 'T1', type: 'car', colour: 'red' }, 'unknown_field', 'colour'],
    [{ call_sign: 'T1', type: 'car', unit: B }, 'unknown_unit', 'unit'],
    [{ call_sign: 'T1', type: 'car', unit: '339902990000' }, 'unknown_unit', 'unit'],
    [{ call_sign: 'T1', type: 'car', members: '人'.repeat(201) }, 'too_long', 'members'],
  ];
  for (const [body, code, field] of bad) assertError(await operator.post('/api/v1/response-units', body), 400, code, field);
});

test('positions: history kept, the newest is the last position, GCJ-02 converted, bad input named', async () => {
  for (const name of ['moto', 'foot', 'car', 'aux', 'car2']) {
    const r = await report(operator, units[name], places[name], { source: 'gps', accuracy_m: 8 });
    assert.equal(r.latest, true);
    assert.equal(r.position.source, 'gps');
    assert.equal(r.position.accuracy_m, 8);
    assert.deepEqual([r.response_unit.position.lat, r.response_unit.position.lon], [places[name].lat, places[name].lon]);
    assert.equal(r.response_unit.position.stale, false);
    units[name] = r.response_unit;
  }
  await report(chief2, units.b, { lat: 29.75, lon: 120.40 });
  // An older report (a phone that was offline) goes to the history only.
  const old = new Date(Date.now() - 3600e3).toISOString();
  const r = await report(operator, units.car, { lat: 29.70, lon: 120.20 }, { at: old });
  assert.equal(r.latest, false);
  assert.deepEqual([r.response_unit.position.lat, r.response_unit.position.lon], [places.car.lat, places.car.lon]);
  const hist = await operator.get(`/api/v1/response-units/${units.car.id}/positions`);
  assert.equal(hist.status, 200, hist.text);
  assert.equal(hist.json.total, 2);
  assert.deepEqual(hist.json.items.map((p) => p.lat), [places.car.lat, 29.70], 'newest first');
  assert.equal(hist.json.items[1].source, 'manual');
  assert.equal(hist.json.items[1].accuracy_m, null);
  // A GCJ-02 position from a Chinese map app is stored in WGS-84, a few hundred metres away.
  const g = await report(operator, units.car2, { lat: 29.7505, lon: 120.2505, crs: 'gcj02' });
  const d = haversine(g.position, places.car2);
  assert.ok(d > 100 && d < 1000, `moved ${d.toFixed(0)} m`);
  await report(operator, units.car2, places.car2);

  const bad = [
    [{ location: { lat: 91, lon: 120 } }, 'out_of_range', 'location.lat'],
    [{ location: { lat: 29.7, lon: 200 } }, 'out_of_range', 'location.lon'],
    [{ location: { lat: 29.7, lon: 120.2, crs: 'mars' } }, 'geo_crs', 'location.crs'],
    [{ location: { lat: 29.7 } }, 'missing_field', 'location.lon'],
    [{}, 'missing_field', 'location'],
    [{ location: [29.7, 120.2] }, 'invalid_type', 'location'],
    [{ location: P, at: new Date(Date.now() + 3600e3).toISOString() }, 'in_future', 'at'],
    [{ location: P, at: new Date(Date.now() - 8 * 86400e3).toISOString() }, 'too_old', 'at'],
    [{ location: P, at: 'soon' }, 'invalid_time', 'at'],
    [{ location: P, accuracy_m: -1 }, 'out_of_range', 'accuracy_m'],
    [{ location: P, source: 'pigeon' }, 'invalid_value', 'source'],
    [{ location: P, speed: 3 }, 'unknown_field', 'speed'],
  ];
  for (const [body, code, field] of bad) assertError(await operator.post(`/api/v1/response-units/${units.moto.id}/positions`, body), 400, code, field);
  assertError(await operator.post(`/api/v1/response-units/${GHOST}/positions`, { location: P }), 404, 'not_found');
});

test('units list by station, status and type', async () => {
  const all = await operator.get(`/api/v1/response-units?unit=${A}&per_page=200`);
  assert.equal(all.status, 200);
  const mine = all.json.items.filter((u) => u.call_sign.startsWith('测试'));
  assert.equal(mine.length, 6);
  assert.ok(all.json.items.every((u) => u.unit === A));
  const cars = await operator.get(`/api/v1/response-units?unit=${A}&type=car&status=available&per_page=200`);
  assert.deepEqual(cars.json.items.map((u) => u.call_sign), ['测试巡逻1组']);
  assertError(await operator.get('/api/v1/response-units?status=asleep'), 400, 'invalid_query', 'status');
  assertError(await operator.get('/api/v1/response-units?type=tank'), 400, 'invalid_query', 'type');
});

test('candidates for an incident: available located units by ETA with exact seconds and bands', async () => {
  const a = await operator.post('/api/v1/alerts', {
    received_at: new Date(Date.now() - 5 * 60e3).toISOString(), source: 'phone_110', caller_phone: '13912345678',
    location: P, address: '枫溪镇人民路 8 号', category: 'public_order.fight', description: '人民路有人打架',
  });
  assert.equal(a.status, 201, a.text);
  incident = a.json.incident;
  const r = await operator.get(`/api/v1/incidents/${incident.id}/units`);
  assert.equal(r.status, 200, r.text);
  const c = r.json;
  assert.equal(c.incident_id, incident.id);
  assert.deepEqual(c.location, P);
  const expect = ['moto', 'foot', 'car', 'aux'].map((n) => {
    const eta = etaOf(units[n].type, places[n]);
    return { call_sign: units[n].call_sign, unit_id: units[n].id, type: units[n].type, eta_s: Math.ceil(eta), band: band(eta), distance_m: Math.round(haversine(places[n], P)) };
  });
  assert.deepEqual(expect.map((e) => [e.eta_s, e.band]), [[46, 1], [104, 3], [148, 3], [1868, 0]], 'the model of docs/dispatch.md');
  assert.deepEqual(c.items.map((i) => ({ call_sign: i.call_sign, unit_id: i.unit_id, type: i.type, eta_s: i.eta_s, band: i.band, distance_m: i.distance_m })), expect);
  assert.deepEqual(c.items.map((i) => i.band_label), ['1分钟圈', '3分钟圈', '3分钟圈', '5分钟外']);
  assert.deepEqual(c.items[0].position.lat, places.moto.lat);
  assert.ok(c.items.every((i) => i.stale === false && i.position_age_s < 120));
  assert.equal(c.unlocated_count, 1, 'the volunteer team never reported a position');
  assert.equal(c.stale_count, 0);
  assert.equal(c.none_within_5min, false);
  assert.equal(c.warning, null);

  // Far from every unit: the warning.
  const far = await operator.post('/api/v1/alerts', {
    received_at: new Date(Date.now() - 60e3).toISOString(), source: 'phone_110', caller_phone: '13800001111',
    location: { lat: 29.67, lon: 120.16 }, category: 'help.missing_person', description: '老人走失',
  });
  const w = await operator.get(`/api/v1/incidents/${far.json.incident.id}/units`);
  assert.equal(w.json.none_within_5min, true);
  assert.match(w.json.warning, /5分钟内没有/);
  assert.ok(w.json.items.every((i) => i.band === 0));
  // An incident known only by its address cannot be ranked.
  const noLoc = await operator.post('/api/v1/alerts', {
    received_at: new Date(Date.now() - 60e3).toISOString(), source: 'walk_in', address: '枫溪镇新街 3 号',
    category: 'help.lost_property', description: '钱包丢了',
  });
  assertError(await operator.get(`/api/v1/incidents/${noLoc.json.incident.id}/units`), 422, 'no_location', 'location');
  assertError(await operator.get(`/api/v1/incidents/${GHOST}/units`), 404, 'not_found');
});

test('dispatching the nearest unit: the unit and the incident follow; refusals are 400/409', async () => {
  const url = `/api/v1/incidents/${incident.id}/dispatches`;
  assertError(await operator.post(url, { units: [] }), 400, 'missing_field', 'units');
  assertError(await operator.post(url, {}), 400, 'missing_field', 'units');
  assertError(await operator.post(url, { units: [units.moto.id, units.moto.id] }), 400, 'duplicate', 'units[1]');
  assertError(await operator.post(url, { units: ['not-a-uuid'] }), 400, 'invalid_value', 'units[0]');
  assertError(await operator.post(url, { units: [GHOST] }), 400, 'unknown_unit', 'units[0]');
  // Another station's unit answers like a unit that does not exist.
  const foreign = await operator.post(url, { units: [units.b.id] });
  assertError(foreign, 400, 'unknown_unit', 'units[0]');
  assert.equal(foreign.text, (await operator.post(url, { units: [GHOST] })).text);
  const off = assertError(await operator.post(url, { units: [units.moto.id, units.car2.id] }), 409, 'unit_not_available', 'units[1]');
  assert.match(off.message, /测试巡逻2组.*下班/);
  assertError(await operator.post(url, { units: Array(21).fill(GHOST) }), 400, 'too_many', 'units');
  // Nothing of the refused requests was written.
  assert.equal((await operator.get(`/api/v1/response-units/${units.moto.id}`)).json.response_unit.status, 'available');

  const r = await operator.post(url, { units: [units.moto.id], note: '就近派警' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.dispatches.length, 1);
  nearest = r.json.dispatches[0];
  assert.equal(nearest.state, 'dispatched');
  assert.equal(nearest.state_label, '已派');
  assert.equal(nearest.incident_id, incident.id);
  assert.equal(nearest.incident_number, incident.number);
  assert.deepEqual(nearest.response_unit, { id: units.moto.id, call_sign: '测试摩巡1组', type: 'motorbike', type_label: '摩托车' });
  assert.equal(nearest.note, '就近派警');
  assert.equal(nearest.dispatched_by, '李晓燕');
  assert.equal(nearest.acknowledged_at, null);
  assert.equal(r.json.incident.state, 'dispatched');
  const u = (await operator.get(`/api/v1/response-units/${units.moto.id}`)).json.response_unit;
  assert.equal(u.status, 'dispatched');
  assert.deepEqual(u.dispatch, { id: nearest.id, incident_id: incident.id, state: 'dispatched' });
  // The unit is busy now: not a candidate, not dispatchable.
  const cand = await operator.get(`/api/v1/incidents/${incident.id}/units`);
  assert.deepEqual(cand.json.items.map((i) => i.call_sign), ['测试步巡1组', '测试巡逻1组', '测试辅警1队']);
  const again = assertError(await operator.post(url, { units: [units.moto.id] }), 409, 'unit_not_available', 'units[0]');
  assert.match(again.message, /测试摩巡1组.*已派/);
  // Its status belongs to the dispatch now.
  assertError(await operator.patch(`/api/v1/response-units/${units.moto.id}`, { status: 'busy', version: u.version }), 409, 'unit_on_dispatch', 'status');
});

test('an unacknowledged dispatch is listed once it has waited long enough', async () => {
  const now = await operator.get('/api/v1/dispatches?unacknowledged_s=0');
  assert.equal(now.status, 200, now.text);
  assert.deepEqual(now.json.items.map((d) => d.id), [nearest.id]);
  assert.equal(now.json.items[0].overdue, true);
  assert.equal(now.json.unacknowledged_after_s, 0);
  const byDefault = await operator.get('/api/v1/dispatches?unacknowledged_s=');
  assert.equal(byDefault.json.unacknowledged_after_s, 60);
  assert.equal(byDefault.json.total, 0, 'not yet 60 s old');
  assertError(await operator.get('/api/v1/dispatches?unacknowledged_s=-1'), 400, 'invalid_query', 'unacknowledged_s');
  assertError(await operator.get('/api/v1/dispatches?state=lost'), 400, 'invalid_query', 'state');
  // Two minutes later (the server's clock moved on) the default raises it.
  await restartAt(srv, 120e3, operator, chief, chief2, community, volunteer, auditor);
  const later = await operator.get('/api/v1/dispatches?unacknowledged_s=');
  assert.deepEqual(later.json.items.map((d) => d.id), [nearest.id]);
  const waited = later.json.items[0].unacknowledged_s;
  assert.ok(waited >= 120 && waited < 300, `waited ${waited} s`);
  assert.equal(later.json.items[0].overdue, true);
  const all = await operator.get(`/api/v1/dispatches?state=active&incident=${incident.id}`);
  assert.equal(all.json.total, 1);
  assert.equal(all.json.items[0].overdue, true, 'the configured 60 s decides overdue in every list');
});

test('steps in order: acknowledge → en route → on scene → clear; the incident and response times follow', async () => {
  const step = (s, body = {}) => operator.post(`/api/v1/dispatches/${nearest.id}/${s}`, body);
  for (const s of ['en_route', 'on_scene', 'clear']) assertError(await step(s), 409, 'invalid_step', 'step');
  let r = await step('acknowledge');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispatch.state, 'acknowledged');
  assert.equal(r.json.dispatch.unacknowledged_s, null);
  assert.equal(r.json.dispatch.overdue, false);
  assert.ok(r.json.dispatch.acknowledged_at);
  assert.equal(r.json.incident.state, 'dispatched');
  assertError(await step('acknowledge'), 409, 'invalid_step', 'step');
  assert.equal((await operator.get('/api/v1/dispatches?unacknowledged_s=0')).json.total, 0);
  const v = r.json.dispatch.version;
  assertError(await step('en_route', { version: v - 1 }), 409, 'stale_version', 'version');
  r = await step('en_route', { version: v });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.state, 'en_route');
  assert.equal((await operator.get(`/api/v1/response-units/${units.moto.id}`)).json.response_unit.status, 'en_route');
  r = await step('on_scene');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.state, 'on_scene');
  assert.equal((await operator.get(`/api/v1/response-units/${units.moto.id}`)).json.response_unit.status, 'on_scene');
  const d = r.json.dispatch;
  const t = r.json.incident.response_times;
  assert.equal(ms(t.first_received_at), ms(incident.first_received_at));
  assert.equal(ms(t.first_dispatched_at), ms(d.dispatched_at));
  assert.equal(ms(t.first_on_scene_at), ms(d.on_scene_at));
  assert.equal(t.dispatch_s, (ms(d.dispatched_at) - ms(incident.first_received_at)) / 1000);
  assert.equal(t.on_scene_s, (ms(d.on_scene_at) - ms(incident.first_received_at)) / 1000);
  assert.ok(t.on_scene_s >= t.dispatch_s + 120, 'the clock moved two minutes between dispatch and arrival');

  // A second unit joins an incident already on scene: the incident stays, the unit can be cancelled.
  const more = await operator.post(`/api/v1/incidents/${incident.id}/dispatches`, { units: [units.foot.id] });
  assert.equal(more.status, 201, more.text);
  assert.equal(more.json.incident.state, 'on_scene');
  const second = more.json.dispatches[0];
  const cancel = await operator.post(`/api/v1/dispatches/${second.id}/cancel`, { note: '警力已足够' });
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal(cancel.json.dispatch.state, 'cancelled');
  assert.ok(cancel.json.dispatch.cancelled_at);
  assert.equal(cancel.json.dispatch.note, '警力已足够');
  assertError(await operator.post(`/api/v1/dispatches/${second.id}/acknowledge`), 409, 'invalid_step', 'step');
  assert.equal((await operator.get(`/api/v1/response-units/${units.foot.id}`)).json.response_unit.status, 'available');
  // Response times keep the first dispatch and the first arrival.
  assert.deepEqual(cancel.json.incident.response_times, t);

  r = await step('clear');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispatch.state, 'cleared');
  assert.equal(r.json.incident.state, 'on_scene', 'disposal is the command room\'s decision');
  const u = (await operator.get(`/api/v1/response-units/${units.moto.id}`)).json.response_unit;
  assert.equal(u.status, 'available');
  assert.equal(u.dispatch, null);
  assertError(await step('cancel'), 409, 'invalid_step', 'step');

  // The incident answer carries the dispatches, the response times and the timeline.
  const inc = (await operator.get(`/api/v1/incidents/${incident.id}`)).json.incident;
  assert.deepEqual(inc.response_times, t);
  assert.deepEqual(inc.dispatches.map((x) => [x.id, x.state]), [[nearest.id, 'cleared'], [second.id, 'cancelled']]);
  assert.deepEqual(inc.timeline.filter((e) => e.kind === 'transition').map((e) => e.to), ['received', 'dispatched', 'en_route', 'on_scene']);
  assert.deepEqual(inc.timeline.filter((e) => e.kind === 'dispatch').map((e) => [e.to, e.note]), [
    ['dispatched', '测试摩巡1组'], ['acknowledged', '测试摩巡1组'], ['en_route', '测试摩巡1组'], ['on_scene', '测试摩巡1组'],
    ['dispatched', '测试步巡1组'], ['cancelled', '测试步巡1组'], ['cleared', '测试摩巡1组'],
  ]);
  // Once disposed, no more units are sent.
  const disp = await operator.post(`/api/v1/incidents/${incident.id}/transition`, { state: 'disposed', disposal: '双方已劝离' });
  assert.equal(disp.status, 200, disp.text);
  assertError(await operator.post(`/api/v1/incidents/${incident.id}/dispatches`, { units: [units.moto.id] }), 409, 'incident_not_open', 'incident_id');
  assertError(await operator.post(`/api/v1/dispatches/${GHOST}/acknowledge`), 404, 'not_found');
});

test('unit edits: optimistic version, statuses owned by dispatch, call signs unique', async () => {
  const u = (await operator.get(`/api/v1/response-units/${units.car2.id}`)).json.response_unit;
  let r = await operator.patch(`/api/v1/response-units/${u.id}`, { status: 'available', call_sign: '测试巡逻9组', members: '', version: u.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.response_unit.status, 'available');
  assert.equal(r.json.response_unit.call_sign, '测试巡逻9组');
  assert.equal(r.json.response_unit.members, null);
  assert.equal(r.json.response_unit.version, u.version + 1);
  assertError(await operator.patch(`/api/v1/response-units/${u.id}`, { status: 'busy', version: u.version }), 409, 'stale_version', 'version');
  assertError(await operator.patch(`/api/v1/response-units/${u.id}`, { status: 'on_scene', version: u.version + 1 }), 409, 'status_by_dispatch', 'status');
  assertError(await operator.patch(`/api/v1/response-units/${u.id}`, { call_sign: '测试巡逻1组', version: u.version + 1 }), 409, 'call_sign_taken', 'call_sign');
  assertError(await operator.patch(`/api/v1/response-units/${u.id}`, { status: 'busy' }), 400, 'missing_field', 'version');
  assertError(await operator.patch(`/api/v1/response-units/${u.id}`, { type: 'tank', version: 9 }), 400, 'invalid_value', 'type');
  r = await operator.patch(`/api/v1/response-units/${u.id}`, { status: 'off_duty', type: 'motorbike', version: u.version + 1 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.response_unit.type, 'motorbike');
});

test('scope: each station sees and changes only its own units, incidents and dispatches (404 as if absent)', async () => {
  const ghostUnit = await chief2.get(`/api/v1/response-units/${GHOST}`);
  assertError(ghostUnit, 404, 'not_found');
  const foreign = await chief2.get(`/api/v1/response-units/${units.moto.id}`);
  assertError(foreign, 404, 'not_found');
  assert.equal(foreign.text, ghostUnit.text, 'another station\'s unit looks absent');
  assertError(await chief2.patch(`/api/v1/response-units/${units.moto.id}`, { status: 'busy', version: 1 }), 404, 'not_found');
  assertError(await chief2.post(`/api/v1/response-units/${units.moto.id}/positions`, { location: P }), 404, 'not_found');
  assertError(await chief2.get(`/api/v1/response-units/${units.moto.id}/positions`), 404, 'not_found');
  const ghostInc = await chief2.get(`/api/v1/incidents/${GHOST}/units`);
  const foreignInc = await chief2.get(`/api/v1/incidents/${incident.id}/units`);
  assertError(foreignInc, 404, 'not_found');
  assert.equal(foreignInc.text, ghostInc.text);
  assertError(await chief2.post(`/api/v1/incidents/${incident.id}/dispatches`, { units: [units.b.id] }), 404, 'not_found');
  const ghostDisp = await chief2.get(`/api/v1/dispatches/${GHOST}`);
  const foreignDisp = await chief2.get(`/api/v1/dispatches/${nearest.id}`);
  assertError(foreignDisp, 404, 'not_found');
  assert.equal(foreignDisp.text, ghostDisp.text);
  for (const s of ['acknowledge', 'en_route', 'on_scene', 'clear', 'cancel']) assertError(await chief2.post(`/api/v1/dispatches/${nearest.id}/${s}`), 404, 'not_found');
  const list = await chief2.get('/api/v1/dispatches');
  assert.equal(list.json.total, 0);
  const theirs = await chief2.get('/api/v1/response-units?per_page=200');
  assert.ok(theirs.json.items.length >= 2);
  assert.ok(theirs.json.items.every((u) => u.unit === B));
  assertError(await chief2.get(`/api/v1/response-units?unit=${A}`), 404, 'not_found', 'unit');
  assertError(await chief2.get(`/api/v1/coverage?unit=${A}`), 404, 'not_found', 'unit');
  // And the other way round.
  assertError(await chief.get(`/api/v1/response-units/${units.b.id}`), 404, 'not_found');
  assertError(await operator.post(`/api/v1/response-units/${units.b.id}/positions`, { location: P }), 404, 'not_found');
  const ours = await chief.get('/api/v1/dispatches');
  assert.deepEqual(ours.json.items.map((d) => d.incident_id), [incident.id, incident.id]);
});

test('rights: reading needs incident.read, changing incident.manage', async () => {
  const r = await community.get(`/api/v1/response-units/${units.moto.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal((await community.get(`/api/v1/incidents/${incident.id}/units`)).status, 200);
  assert.equal((await community.get('/api/v1/dispatches')).status, 200);
  assertError(await community.post('/api/v1/response-units', { call_sign: 'X1', type: 'car' }), 403, 'forbidden');
  assertError(await community.post(`/api/v1/response-units/${units.moto.id}/positions`, { location: P }), 403, 'forbidden');
  assertError(await community.patch(`/api/v1/response-units/${units.moto.id}`, { status: 'busy', version: 1 }), 403, 'forbidden');
  assertError(await community.post(`/api/v1/dispatches/${nearest.id}/acknowledge`), 403, 'forbidden');
  assertError(await community.post(`/api/v1/incidents/${incident.id}/dispatches`, { units: [units.moto.id] }), 403, 'forbidden');
  for (const path of ['/api/v1/response-units', '/api/v1/dispatches', '/api/v1/coverage', `/api/v1/incidents/${incident.id}/units`]) {
    assertError(await volunteer.get(path), 403, 'forbidden');
  }
});

test('coverage of the station: the available located units over its boundary and its alerts', async () => {
  const r = await operator.get('/api/v1/coverage');
  assert.equal(r.status, 200, r.text);
  const c = r.json;
  assert.equal(c.unit, A);
  assert.equal(c.cell_m, 250);
  assert.equal(c.alert_window_days, 90);
  // moto, foot, car and aux are available with positions; car2 is off duty, the volunteers unlocated.
  assert.deepEqual(c.units, { used: 4, stale: 0 });
  assert.equal(c.cells.length, c.area.total);
  assert.ok(Math.abs(c.area.total * 250 * 250 - c.area_m2) / c.area_m2 < 0.03, `${c.area.total} cells for ${c.area_m2} m²`);
  for (const s of [c.area, c.alerts]) {
    assert.ok(s.within[0] <= s.within[1] && s.within[1] <= s.within[2] && s.within[2] <= s.total);
    s.share.forEach((x, i) => assert.ok(Math.abs(x - (s.total ? s.within[i] / s.total : 0)) < 1e-12, `share ${x}`));
  }
  // The fight at P (46 s from the motorbike) and the address-only report: at least one inside 1 minute.
  assert.ok(c.alerts.total >= 2, JSON.stringify(c.alerts));
  assert.ok(c.alerts.within[0] >= 1);
  // Every cell's best ETA is the model's from the nearest of the four units (its centre is
  // rounded to 1e-6 degrees in the answer, hence ±1 s), and the area counts follow from the cells.
  const used = ['moto', 'foot', 'car', 'aux'];
  for (const [lat, lon, eta] of c.cells) {
    const best = Math.min(...used.map((n) => TURNOUT[units[n].type] + (haversine(places[n], { lat, lon }) * 1.3 * 3.6) / SPEED[units[n].type]));
    assert.ok(Math.abs(eta - Math.ceil(best)) <= 1, `cell ${lat},${lon}: ${eta} s, model ${best} s`);
  }
  assert.deepEqual(c.area.within, [60, 180, 300].map((lim) => c.cells.filter((x) => x[2] !== null && x[2] <= lim).length));
  assert.ok(c.area.within[0] > 0 && c.area.within[2] < c.area.total);
  assertError(await operator.get('/api/v1/coverage?cell_m=5'), 400, 'invalid_query', 'cell_m');
  assertError(await operator.get('/api/v1/coverage?cell_m=abc'), 400, 'invalid_query', 'cell_m');
  assertError(await operator.get('/api/v1/coverage?unit=339902990000'), 404, 'not_found', 'unit');
  const fine = await operator.get(`/api/v1/coverage?unit=339902100001&cell_m=1000`);
  assert.equal(fine.status, 200, fine.text);
  assert.equal(fine.json.unit, A, 'a grid code means its station');
  assert.equal(fine.json.cell_m, 1000);
  const b = await chief2.get('/api/v1/coverage');
  assert.equal(b.json.unit, B);
  assert.deepEqual(b.json.units, { used: 1, stale: 0 }, 'the car; the motorbike of B has no position');
});

test('every change is audited in its own transaction, with who and what', async () => {
  const get = async (type, id) => (await auditor.get(`/api/v1/audit?object_type=${type}&object_id=${id}&per_page=200`)).json.items;
  const d = await get('dispatch', nearest.id);
  assert.deepEqual(d.map((e) => e.action).reverse(), ['dispatch.create', 'dispatch.acknowledge', 'dispatch.en_route', 'dispatch.on_scene', 'dispatch.clear']);
  assert.ok(d.every((e) => e.username === 'operator'));
  const onScene = d.find((e) => e.action === 'dispatch.on_scene');
  assert.deepEqual(onScene.detail, { from: 'en_route', to: 'on_scene', incident_id: incident.id, response_unit_id: units.moto.id });
  const inc = await get('incident', incident.id);
  const moves = inc.filter((e) => e.action === 'incident.transition').map((e) => e.detail).reverse();
  assert.deepEqual(moves, [
    { from: 'received', to: 'dispatched', by: 'dispatch' },
    { from: 'dispatched', to: 'en_route', by: 'dispatch.en_route' },
    { from: 'en_route', to: 'on_scene', by: 'dispatch.on_scene' },
    { from: 'on_scene', to: 'disposed' },
  ]);
  const u = await get('response_unit', units.car.id);
  assert.deepEqual(u.map((e) => e.action).reverse(), ['response_unit.create', 'response_unit.position', 'response_unit.position']);
  assert.equal(u[0].detail.latest, false);
  const p = await get('response_unit', units.car2.id);
  assert.deepEqual(p.map((e) => e.action).reverse(), ['response_unit.create', 'response_unit.position', 'response_unit.position', 'response_unit.position', 'response_unit.update', 'response_unit.update']);
});

test('positions go stale: still ranked but flagged, and they do not lift the warning', async () => {
  await restartAt(srv, 900e3, operator, chief, chief2, community, volunteer, auditor);
  const a = await operator.post('/api/v1/alerts', {
    received_at: new Date(Date.now() + 899e3).toISOString(), source: 'phone_110', caller_phone: '13600009999',
    location: P, category: 'help.lost_property', description: '手机丢在人民路',
  });
  assert.equal(a.status, 201, a.text);
  const r = await operator.get(`/api/v1/incidents/${a.json.incident.id}/units`);
  assert.deepEqual(r.json.items.map((i) => i.call_sign), ['测试摩巡1组', '测试步巡1组', '测试巡逻1组', '测试辅警1队']);
  assert.ok(r.json.items.every((i) => i.stale && i.position_age_s > 600));
  assert.equal(r.json.stale_count, 4);
  assert.equal(r.json.none_within_5min, true);
  assert.match(r.json.warning, /5分钟内没有/);
  // A fresh report lifts it.
  await report(operator, units.moto, places.moto);
  const again = await operator.get(`/api/v1/incidents/${a.json.incident.id}/units`);
  assert.equal(again.json.none_within_5min, false);
  assert.equal(again.json.items[0].stale, false);
});
