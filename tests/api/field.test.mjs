// Community field work: contact cards (printable, with a QR code that
// decodes to the card's public page), the public page's API without a
// session, residents' messages in the officer's queue, door-to-door service
// requests and clues, with rights, scope, masking and audit, role by role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const execFileP = promisify(execFile);
const PUBLIC = 'https://fq.example.cn';
const GRID = '339902100001';
const STATION = '339902510000';

let srv;
const as = {};
const anon = () => new Client(srv.url);
let card;

before(async () => {
  srv = await startServer({ demo: true, args: ['--public-url', `${PUBLIC}/`] });
  for (const name of ['chief', 'operator', 'community', 'caseofficer', 'auxiliary', 'gridworker', 'volunteer', 'analyst', 'chief2', 'auditor']) {
    as[name] = await loginAs(srv, who(srv, name));
  }
});

after(async () => {
  await stopAndCheck(srv);
});

async function auditOf(action, objectId) {
  const r = await as.auditor.get(`/api/v1/audit?action=${encodeURIComponent(action)}&per_page=200`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((e) => !objectId || e.object_id === objectId);
}

test('a community officer makes a contact card for a grid; bad input names the field', async () => {
  const bad = [
    [{}, 'missing_field', 'unit'],
    [{ unit: '999999999999' }, 'unknown_unit', 'unit'],
    [{ unit: GRID, work_phone: '12' }, undefined, 'work_phone'],
    [{ unit: GRID, motto: 'x'.repeat(61) }, undefined, 'motto'],
    [{ unit: GRID, extra: 1 }, undefined, 'extra'],
    [{ unit: '339902520000' }, 'unknown_unit', 'unit'], // the other station
  ];
  for (const [body, code, field] of bad) {
    const r = await as.community.post('/api/v1/contact-cards', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assertError(r, 400, code || r.json.error.code, field);
  }
  const r = await as.community.post('/api/v1/contact-cards', { unit: GRID, work_phone: '0575-87001234', motto: '枫桥经验，服务到家' });
  assert.equal(r.status, 201, r.text);
  card = r.json.contact_card;
  assert.equal(card.user_id, as.community.user.id);
  assert.equal(card.unit, GRID);
  assert.equal(card.unit_kind, 'grid');
  assert.equal(card.officer_role_label, '社区民警');
  assert.equal(card.station_name, '枫溪派出所');
  assert.match(card.token, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(card.page_path, `/c/${card.token}`);
  assertError(await as.community.post('/api/v1/contact-cards', { unit: GRID }), 409, 'duplicate', 'unit');
  // Only officers get cards; only the field team makes them.
  assertError(await as.chief.post('/api/v1/contact-cards', { unit: GRID, user_id: as.operator.user.id }), 400, 'not_an_officer', 'user_id');
  assertError(await as.volunteer.post('/api/v1/contact-cards', { unit: GRID }), 403, 'forbidden');
  assertError(await as.operator.post('/api/v1/contact-cards', { unit: GRID }), 403, 'forbidden');
  assert.equal((await auditOf('contact_card.create', card.id)).length, 1);
});

test('cards are read in scope only', async () => {
  const list = await as.chief.get(`/api/v1/contact-cards?unit=${GRID}`);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((c) => c.id === card.id));
  // The total counts the same filter as the page (the count once bound the unit only once).
  assert.equal(list.json.total, list.json.items.length);
  assertError(await as.chief2.get(`/api/v1/contact-cards/${card.id}`), 404, 'not_found');
  assertError(await as.chief2.get(`/api/v1/contact-cards?unit=${GRID}`), 404, 'not_found', 'unit');
  assert.equal((await as.chief2.get('/api/v1/contact-cards')).json.total, 0);
  assertError(await as.volunteer.get('/api/v1/contact-cards'), 403, 'forbidden');
});

test('the printed card: a PNG whose QR code decodes to the public page, and a PDF', async () => {
  const png = await fetch(`${srv.url}/api/v1/contact-cards/${card.id}/print?format=png`, { headers: { Cookie: as.community.cookie } });
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.match(png.headers.get('content-disposition'), /contact-card\.png/);
  const bytes = Buffer.from(await png.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const file = join(srv.dir, 'card.png');
  writeFileSync(file, bytes);
  const { stdout } = await execFileP('zbarimg', ['--raw', '-q', '--nodbus', file]);
  assert.equal(stdout.trim(), `${PUBLIC}/c/${card.token}`);

  const pdf = await fetch(`${srv.url}/api/v1/contact-cards/${card.id}/print`, { headers: { Cookie: as.community.cookie } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const head = Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString();
  assert.equal(head, '%PDF-');

  assertError(await as.community.get(`/api/v1/contact-cards/${card.id}/print?format=gif`), 400, 'invalid_value', 'format');
  assertError(await as.chief2.get(`/api/v1/contact-cards/${card.id}/print?format=png`), 404, 'not_found');
});

test('the public page answers without a session and shows no personal data beyond the card', async () => {
  const r = await anon().get(`/api/v1/public/cards/${card.token}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.card.officer_name, card.officer_name);
  assert.equal(r.json.card.work_phone, '0575-87001234');
  assert.equal(r.json.card.unit_name, card.unit_name);
  assert.ok(r.json.card.service_kinds.some((k) => k.code === 'id_card_delivery' && k.label));
  assert.ok(!('user_id' in r.json.card) && !('id' in r.json.card) && !('token' in r.json.card));
  assertError(await anon().get('/api/v1/public/cards/AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
  assertError(await anon().get('/api/v1/public/cards/short'), 404, 'not_found');
  // The HTML page itself is the UI's.
  const page = await fetch(`${srv.url}/c/${card.token}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
});

let message; // a message left on the card
let booking; // a booking

test('residents leave messages and bookings; bad ones name the field and are not stored', async () => {
  const p = (body) => anon().post(`/api/v1/public/cards/${card.token}/messages`, body);
  const bad = [
    [{ kind: 'chat', text: 'x' }, 'kind'],
    [{ kind: 'message' }, 'text'],
    [{ kind: 'message', text: '你好', phone: 'abc' }, 'phone'],
    [{ kind: 'booking', text: '办身份证' }, 'service_kind'],
    [{ kind: 'booking', service_kind: 'id_card_delivery', text: '办身份证' }, 'name'],
    [{ kind: 'booking', service_kind: 'id_card_delivery', text: '办身份证', name: '李奶奶' }, 'phone'],
    [{ kind: 'booking', service_kind: 'id_card_delivery', text: '办身份证', name: '李奶奶', phone: '13900001111' }, 'address'],
    [{ kind: 'message', text: '你好', service_kind: 'other' }, 'service_kind'],
    [{ kind: 'message', text: '你好', preferred_at: 'tomorrow' }, 'preferred_at'],
  ];
  for (const [body, field] of bad) {
    const r = await p(body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  let r = await p({ kind: 'message', text: '楼道里的电动车晚上充电，担心起火', name: '张先生', phone: '138 0000 1234' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.number, new RegExp(`^LY-${GRID}-\\d{8}-0001$`));
  r = await p({ kind: 'booking', service_kind: 'id_card_delivery', text: '老人行动不便，请上门送身份证', name: '李奶奶', phone: '13900001111', address: '桃埠社区3幢201', preferred_at: new Date(Date.now() + 86400000).toISOString() });
  assert.equal(r.status, 201, r.text);
  assertError(await anon().post('/api/v1/public/cards/AAAAAAAAAAAAAAAAAAAAAA/messages', { kind: 'message', text: '你好' }), 404, 'not_found');

  const q = await as.community.get('/api/v1/resident-messages?state=new');
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.total, 2);
  booking = q.json.items.find((m) => m.kind === 'booking');
  message = q.json.items.find((m) => m.kind === 'message');
  assert.equal(booking.phone, '13900001111', 'the officer who calls back sees the phone');
  assert.equal(booking.service_kind_label, '身份证送证上门');
  assert.equal(message.officer_id, as.community.user.id);
  assert.equal((await auditOf('resident_message.create')).length, 2);
});

test('the message queue: who may read it, scope, and every read of a message audited', async () => {
  assertError(await as.operator.get('/api/v1/resident-messages'), 403, 'forbidden');
  assertError(await as.gridworker.get('/api/v1/resident-messages'), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/resident-messages/${message.id}`), 404, 'not_found');
  assert.equal((await as.chief2.get('/api/v1/resident-messages')).json.total, 0);
  const aux = await as.auxiliary.get(`/api/v1/resident-messages/${message.id}`);
  assert.equal(aux.status, 200, aux.text);
  assert.equal(aux.json.message.name, '张先生');
  const reads = await auditOf('person.read', message.id);
  assert.equal(reads.length, 1);
  assert.equal(reads[0].username, 'auxiliary');
  assertError(await as.community.get('/api/v1/resident-messages?state=old'), 400, 'invalid_value', 'state');
});

let service;

test('a booking becomes a service request: scheduled, completed with proof; steps in the wrong order get 409', async () => {
  assertError(await as.community.post(`/api/v1/resident-messages/${booking.id}/handle`, { convert_to: 'service_request' }), 400, 'missing_field', 'note');
  assertError(await as.community.post(`/api/v1/resident-messages/${booking.id}/handle`, { note: '已联系', convert_to: 'visit' }), 400, 'invalid_value', 'convert_to');
  const h = await as.community.post(`/api/v1/resident-messages/${booking.id}/handle`, { note: '已电话联系，约定上门', convert_to: 'service_request', version: booking.version });
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.message.state, 'handled');
  assert.ok(h.json.message.service_request_id);
  assertError(await as.community.post(`/api/v1/resident-messages/${booking.id}/handle`, { note: '再次' }), 409, 'invalid_state');

  let r = await as.community.get(`/api/v1/service-requests/${h.json.message.service_request_id}`);
  assert.equal(r.status, 200, r.text);
  service = r.json.service_request;
  assert.equal(service.state, 'requested');
  assert.equal(service.kind, 'id_card_delivery');
  assert.equal(service.source, 'resident_message');
  assert.equal(service.person_name, '李奶奶');
  assert.equal(service.address, '桃埠社区3幢201');
  assert.match(service.number, /^FW-/);

  assertError(await as.community.post(`/api/v1/service-requests/${service.id}/complete`, { proof: '回执 001' }), 409, 'invalid_state');
  assertError(await as.community.post(`/api/v1/service-requests/${service.id}/schedule`, { assigned_to: as.operator.user.id, scheduled_at: new Date().toISOString() }), 400, 'not_an_officer', 'assigned_to');
  assertError(await as.community.post(`/api/v1/service-requests/${service.id}/schedule`, { assigned_to: as.chief2.user.id, scheduled_at: new Date().toISOString() }), 400, 'unknown_user', 'assigned_to');
  assertError(await as.community.post(`/api/v1/service-requests/${service.id}/schedule`, { assigned_to: as.auxiliary.user.id }), 400, 'missing_field', 'scheduled_at');
  r = await as.community.post(`/api/v1/service-requests/${service.id}/schedule`, { assigned_to: as.auxiliary.user.id, scheduled_at: new Date(Date.now() + 3600000).toISOString(), version: service.version });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.service_request.state, 'scheduled');
  assert.equal(r.json.service_request.assigned_to, as.auxiliary.user.id);
  assertError(await as.auxiliary.post(`/api/v1/service-requests/${service.id}/complete`, { proof: 'x', version: service.version }), 409, 'version_mismatch', 'version');
  assertError(await as.auxiliary.post(`/api/v1/service-requests/${service.id}/complete`, {}), 400, 'missing_field', 'proof');
  r = await as.auxiliary.post(`/api/v1/service-requests/${service.id}/complete`, { proof: '身份证已本人签收，回执 SZ-0001' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.service_request.state, 'completed');
  assertError(await as.auxiliary.post(`/api/v1/service-requests/${service.id}/cancel`, { reason: '不需要' }), 409, 'invalid_state');
  assert.equal((await auditOf('service_request.complete', service.id)).length, 1);
});

test('service requests: made by hand, masked for readers who do not serve, out of scope 404, and counted', async () => {
  const bad = [
    [{ kind: 'taxi', person_name: '王', address: 'x', source: 'phone' }, 'kind'],
    [{ kind: 'certificate', address: 'x', source: 'phone' }, 'person_name'],
    [{ kind: 'certificate', person_name: '王', source: 'phone' }, 'address'],
    [{ kind: 'certificate', person_name: '王', address: 'x', source: 'email' }, 'source'],
    [{ kind: 'certificate', person_name: '王', address: 'x', source: 'phone', location: { lat: 99, lon: 1 } }, 'lat'],
    [{ kind: 'certificate', person_name: '王', address: 'x', source: 'phone', unit: '339902520000' }, 'unit'],
  ];
  for (const [body, field] of bad) {
    const r = await as.community.post('/api/v1/service-requests', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
  }
  const made = await as.community.post('/api/v1/service-requests', { unit: GRID, kind: 'home_registration', person_name: '赵大爷', phone: '13700002222', address: '桃埠社区5幢', reason: '行动不便', source: 'visit', location: { lat: 29.74, lon: 120.25 } });
  assert.equal(made.status, 201, made.text);
  const cancelled = await as.community.post(`/api/v1/service-requests/${made.json.service_request.id}/cancel`, { reason: '家属已代为办理' });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.json.service_request.cancel_reason, '家属已代为办理');

  const op = await as.operator.get('/api/v1/service-requests');
  assert.equal(op.status, 200, op.text);
  assert.equal(op.json.total, 2);
  for (const s of op.json.items) assert.match(s.phone, /^\d{3}\*{4}\d{4}$/, 'the operator reads masked phones');
  assertError(await as.operator.post('/api/v1/service-requests', { kind: 'other', person_name: '王', address: 'x', source: 'phone' }), 403, 'forbidden');
  assertError(await as.chief2.get(`/api/v1/service-requests/${service.id}`), 404, 'not_found');
  assertError(await as.volunteer.get('/api/v1/service-requests'), 403, 'forbidden');
  const done = await as.community.get('/api/v1/service-requests?state=completed');
  assert.deepEqual(done.json.items.map((s) => s.id), [service.id]);

  const kpi = await as.chief.get(`/api/v1/kpi/services?unit=${STATION}`);
  assert.equal(kpi.status, 200, kpi.text);
  assert.equal(kpi.json.requested, 2);
  assert.equal(kpi.json.completed, 1);
  assert.equal(kpi.json.cancelled, 1);
  assert.equal(kpi.json.scheduled, 0);
  assert.equal(kpi.json.by_kind.id_card_delivery.completed, 1);
  assert.equal(kpi.json.by_kind.home_registration.requested, 1);
  assert.ok(kpi.json.mean_days_to_complete >= 0 && kpi.json.mean_days_to_complete < 0.01);
  assertError(await as.chief.get('/api/v1/kpi/services?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, 'invalid_range', 'to');
});

test('clues: a volunteer reports one, the command room routes it, the case team accepts and closes it', async () => {
  assertError(await as.volunteer.post('/api/v1/clues', { source: 'volunteer' }), 400, 'missing_field', 'text');
  assertError(await as.volunteer.post('/api/v1/clues', { source: 'rumour', text: 'x' }), 400, 'invalid_value', 'source');
  const r = await as.volunteer.post('/api/v1/clues', { source: 'volunteer', text: '夜里有人在废品站附近反复查看电动车', address: '桃埠村废品站', location: { lat: 29.741, lon: 120.251 } });
  assert.equal(r.status, 201, r.text);
  const clue = r.json.clue;
  assert.equal(clue.unit, GRID, "a volunteer's clue belongs to the volunteer's grid");
  assert.equal(clue.state, 'new');
  assertError(await as.volunteer.get(`/api/v1/clues/${clue.id}`), 403, 'forbidden');
  assertError(await as.volunteer.post(`/api/v1/clues/${clue.id}/route`, { to: 'case_team' }), 403, 'forbidden');
  assertError(await as.caseofficer.post(`/api/v1/clues/${clue.id}/accept`, {}), 409, 'invalid_state');
  assertError(await as.operator.post(`/api/v1/clues/${clue.id}/route`, { to: 'court' }), 400, 'invalid_value', 'to');
  let s = await as.operator.post(`/api/v1/clues/${clue.id}/route`, { to: 'case_team', version: clue.version });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.clue.routed_to, 'case_team');
  s = await as.caseofficer.post(`/api/v1/clues/${clue.id}/accept`, {});
  assert.equal(s.status, 200, s.text);
  assertError(await as.caseofficer.post(`/api/v1/clues/${clue.id}/close`, {}), 400, 'missing_field', 'result');
  s = await as.caseofficer.post(`/api/v1/clues/${clue.id}/close`, { result: '已纳入电动车盗窃串并研判' });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.clue.state, 'closed');
  assertError(await as.caseofficer.post(`/api/v1/clues/${clue.id}/close`, { result: 'again' }), 409, 'invalid_state');
  assertError(await as.chief2.get(`/api/v1/clues/${clue.id}`), 404, 'not_found');
  const list = await as.analyst.get('/api/v1/clues?routed_to=case_team');
  assert.ok(list.json.items.some((k) => k.id === clue.id));
  for (const step of ['clue.create', 'clue.route', 'clue.accept', 'clue.close']) assert.equal((await auditOf(step, clue.id)).length, 1, step);

  // A resident's message can become a clue too.
  const h = await as.community.post(`/api/v1/resident-messages/${message.id}/handle`, { note: '转为线索核查', convert_to: 'clue' });
  assert.equal(h.status, 200, h.text);
  const k = await as.community.get(`/api/v1/clues/${h.json.message.clue_id}`);
  assert.equal(k.json.clue.source, 'resident_message');
  assert.equal(k.json.clue.message_id, message.id);
});

test('a disabled card takes no more messages; one address may send only a few in ten minutes', async () => {
  const off = await as.community.patch(`/api/v1/contact-cards/${card.id}`, { active: false, version: card.version });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.contact_card.active, false);
  assertError(await anon().get(`/api/v1/public/cards/${card.token}`), 404, 'not_found');
  assertError(await anon().post(`/api/v1/public/cards/${card.token}/messages`, { kind: 'message', text: '你好' }), 404, 'not_found');
  const on = await as.community.patch(`/api/v1/contact-cards/${card.id}`, { active: true, version: off.json.contact_card.version });
  assert.equal(on.status, 200, on.text);
  assertError(await as.community.patch(`/api/v1/contact-cards/${card.id}`, { active: true, version: 1 }), 409, 'version_mismatch', 'version');

  // Every validated message counts, also those for unknown or disabled cards (probing for
  // tokens): so far 2 stored and 2 refused with 404 from this address; the fifth is the last.
  let counted = 4;
  for (;;) {
    const r = await anon().post(`/api/v1/public/cards/${card.token}/messages`, { kind: 'message', text: `第${counted + 1}条` });
    if (r.status === 429) {
      assertError(r, 429, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      break;
    }
    assert.equal(r.status, 201, r.text);
    counted++;
    assert.ok(counted <= 5, 'more than five messages taken from one address in ten minutes');
  }
  assert.equal(counted, 5);
  // Invalid ones are refused before they count, and the session API is not limited by it.
  assertError(await anon().post(`/api/v1/public/cards/${card.token}/messages`, { kind: 'message' }), 400, 'missing_field', 'text');
  assert.equal((await as.community.get('/api/v1/resident-messages?state=new')).json.total, 1);
});
