// Disputes and mediation (矛盾纠纷排查化解): intake with field-named refusals,
// grading with its reasons (repeat calls found through the command room's
// alerts, threat words, people, money, an elderly party), masking, grade
// override, assignment, sessions, outcomes, the mediation agreement as
// print-ready HTML, follow-ups with a flare-up that reopens and raises the
// grade, rights and scope endpoint by endpoint, the audit trail, overdue and
// escalation with the server clock shifted, and the KPIs against figures
// worked out by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, restartAt, stopAndCheck, waitFor } from './helpers.mjs';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;
const STATION = '339902510000';
const STATION2 = '339902520000';
const VGRID = '339902100001'; // the volunteer's and grid worker's grid

let srv;
const as = {};
const t0 = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const kpi = (c, unit, from, to) => c.get(`/api/v1/kpi/disputes?unit=${unit}&from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}`);

const NAMES = ['operator', 'chief', 'community', 'caseofficer', 'auxiliary', 'gridworker', 'volunteer', 'chief2', 'auditor', 'analyst'];
async function loginAll() {
  for (const name of NAMES) as[name] = await loginAs(srv, who(srv, name));
}

/** A valid 18-character identity number born on yyyymmdd (GB 11643). */
function idnum(birth, seq = '123') {
  const first17 = `330681${birth}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, ch, i) => s + Number(ch) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

let vgridCentre;

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
  const u = await as.chief.get(`/api/v1/units/${VGRID}`);
  assert.equal(u.status, 200, u.text);
  vgridCentre = u.json.unit ? u.json.unit.centroid : u.json.centroid;
  assert.ok(vgridCentre && typeof vgridCentre.lat === 'number', u.text);
});

after(async () => {
  await stopAndCheck(srv);
});

const neighbour = (over = {}) => ({
  type: 'neighbour',
  description: '两户因楼道堆放杂物发生口角，互不相让',
  occurred_at: iso(t0 - 2 * 60 * MIN),
  location: { lat: vgridCentre.lat, lon: vgridCentre.lon },
  address: '桃园社区3幢2单元',
  parties: [
    { name: '陈<b>秀英</b>', phone: '138 1234 5601', id_number: idnum('19800312') },
    { name: '孙建华', phone: '13812345602' },
  ],
  ...over,
});

let g1; // a general dispute taken to a signed agreement

test('a community officer takes in a neighbour dispute: number, grid from the location, general grade with reasons, deadline, masking', async () => {
  const r = await as.community.post('/api/v1/disputes', neighbour());
  assert.equal(r.status, 201, r.text);
  g1 = r.json.dispute;
  const day = new Date(t0 + 8 * 3600 * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  assert.equal(g1.number, `TJ-${STATION}-${day}-0001`);
  assert.equal(g1.unit, STATION);
  assert.equal(g1.grid, VGRID, 'the grid comes from the location');
  assert.equal(g1.type, 'neighbour');
  assert.equal(g1.type_label, '邻里纠纷');
  assert.equal(g1.source, 'walk_in');
  assert.equal(g1.people_involved, 2, 'defaults to the number of parties');
  assert.equal(g1.amount_yuan, 0);
  assert.equal(g1.grade, 'general');
  assert.equal(g1.grade_auto, 'general');
  assert.equal(g1.score, 0);
  assert.deepEqual(g1.grade_reasons, ['风险分合计0分，定为一般纠纷（25分以下）']);
  assert.equal(g1.state, 'graded');
  assert.equal(g1.overdue, false);
  assert.equal(Date.parse(g1.deadline_at) - Date.parse(g1.reported_at), 7 * DAY);
  // The community officer may not see phones unmasked, but may see ID numbers.
  assert.equal(g1.parties[0].phone, '138****5601');
  assert.equal(g1.parties[0].id_number, idnum('19800312'));
  assert.equal(g1.parties[1].id_number, null);
  assert.deepEqual(g1.timeline.map((e) => e.kind), ['reported']);
  // The operator sees phones but not ID numbers.
  const o = (await as.operator.get(`/api/v1/disputes/${g1.id}`)).json.dispute;
  assert.equal(o.parties[0].phone, '13812345601', 'stored normalised');
  assert.equal(o.parties[0].id_number, '330681********' + idnum('19800312').slice(14));
});

test('the demo holds a year of the main station\'s disputes, resolved at the seeds\' rates', async () => {
  const from = t0 - 368 * DAY;
  const k = await kpi(as.chief, STATION, from, t0);
  assert.equal(k.status, 200, k.text);
  assert.ok(k.json.found >= 500 && k.json.found <= 540, `found ${k.json.found}`);
  assert.ok(k.json.resolution_rate >= 0.95, `resolution_rate ${k.json.resolution_rate}`);
  assert.ok(k.json.mediation_success_rate >= 0.97, `mediation_success_rate ${k.json.mediation_success_rate}`);
  assert.ok(k.json.grades.key > 0 && k.json.grades.major > 0);
  assert.ok(k.json.reopened > 0 && k.json.escalated > 0);
  assert.ok(k.json.grids.length > 30, 'spread over the grids');
  assert.equal(k.json.grids.reduce((s, g) => s + g.found, 0), k.json.found);
  // Nothing of the demo in the last two days, so the tests below start from number 0001.
  const recent = await as.chief.get(`/api/v1/disputes?from=${iso(t0 - 2 * DAY + 5 * MIN)}&to=${iso(t0)}`);
  assert.equal(recent.json.total, 0);
  const one = (await as.chief.get(`/api/v1/disputes?sort=-reported&per_page=1&state=closed`)).json.items[0];
  const d = (await as.chief.get(`/api/v1/disputes/${one.id}`)).json.dispute;
  assert.deepEqual(d.timeline.map((e) => e.kind).slice(0, 1), ['reported']);
  assert.equal(d.timeline.at(-1).kind, 'closed');
  assert.ok(d.follow_ups.every((f) => f.state === 'done'));
});

let m1; // a major dispute

test('grading: repeat calls of the parties, threat words (Traditional too), many people, money and an elderly party make it major', async () => {
  // Two earlier 110 calls from one party's phone, on different days: two incidents.
  const incidents = new Set();
  for (const daysAgo of [40, 12]) {
    const a = await as.operator.post('/api/v1/alerts', {
      received_at: iso(t0 - daysAgo * DAY), source: 'phone_110', caller_name: '周老汉', caller_phone: '+86 139-0000-7777',
      address: '柳溪村五组', location: { lat: vgridCentre.lat, lon: vgridCentre.lon }, category: 'dispute.neighbour', description: '邻居占地建房，双方争吵',
    });
    assert.equal(a.status, 201, a.text);
    incidents.add(a.json.incident.id);
  }
  assert.equal(incidents.size, 2);
  const r = await as.operator.post('/api/v1/disputes', {
    type: 'land_boundary',
    description: '宅基地邊界爭議多年，一方揚言要拿刀拼命', // Traditional: normalised before the word scan
    occurred_at: iso(t0 - DAY),
    address: '柳溪村五组',
    parties: [
      { name: '周老汉', phone: '13900007777', id_number: idnum('19400105', '111') },
      { name: '吴某', phone: '13900008888' },
    ],
    people_involved: 12,
    amount_yuan: 60000,
    source: 'visit',
    unit: STATION,
  });
  assert.equal(r.status, 201, r.text);
  m1 = r.json.dispute;
  assert.equal(m1.grid, null, 'no location and a station: no grid');
  assert.equal(m1.source, 'visit');
  assert.equal(m1.score, 20 + 30 + 20 + 20 + 10);
  assert.equal(m1.grade, 'major');
  assert.deepEqual(m1.grade_reasons, [
    '近90天内当事人的电话已关联报警2起，矛盾反复（+20分）',
    '描述中出现危及人身安全的言行（“拿刀”）（+30分）',
    '涉及12人（+20分）',
    '涉及金额60000元（+20分）',
    '当事人中有1名70岁以上老人（+10分）',
    '风险分合计100分，定为重大纠纷（50分及以上）',
  ]);
  assert.match(m1.handling, /工作组/);
  assert.equal(Date.parse(m1.deadline_at) - Date.parse(m1.reported_at), 30 * DAY);
  assert.equal(m1.amount_fen, 6000000);
});

test('intake refuses bad input with field-named errors and stores nothing', async () => {
  const cases = [
    [{ type: 'quarrel' }, 'invalid_value', 'type'],
    [{ type: undefined }, 'missing_field', 'type'],
    [{ description: ' ' }, 'missing_field', 'description'],
    [{ occurred_at: 'yesterday' }, 'invalid_time', 'occurred_at'],
    [{ occurred_at: iso(t0 + DAY) }, 'in_future', 'occurred_at'],
    [{ location: undefined, address: undefined }, 'missing_field', 'location'],
    [{ location: { lat: 95, lon: 120 } }, undefined, 'location.lat'],
    [{ location: 'here' }, 'invalid_type', 'location'],
    [{ parties: [] }, 'missing_field', 'parties'],
    [{ parties: undefined }, 'missing_field', 'parties'],
    [{ parties: [{ phone: '13812345678' }] }, 'missing_field', 'parties[0].name'],
    [{ parties: [{ name: '甲' }, { name: '乙', phone: '12' }] }, undefined, 'parties[1].phone'],
    [{ parties: [{ name: '甲', id_number: '330681198003121234' }] }, 'id_checksum', 'parties[0].id_number'],
    [{ parties: [{ name: '甲', age: 3 }] }, 'unknown_field', 'parties[0].age'],
    [{ people_involved: 1 }, 'invalid_value', 'people_involved'],
    [{ amount_yuan: 12.345 }, 'invalid_value', 'amount_yuan'],
    [{ amount_yuan: -1 }, undefined, 'amount_yuan'],
    [{ source: 'rumour' }, 'invalid_value', 'source'],
    [{ source: 'incident' }, 'missing_field', 'incident_id'],
    [{ incident_id: '01a20a61-6864-76aa-9928-64fc56f58401' }, 'unknown_incident', 'incident_id'],
    [{ unit: STATION2 }, 'unknown_unit', 'unit'],
    [{ colour: 'red' }, 'unknown_field', 'colour'],
  ];
  for (const [over, code, field] of cases) {
    const body = { ...neighbour(), ...over };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await as.operator.post('/api/v1/disputes', body);
    assert.equal(r.status, 400, `${JSON.stringify(over)}: ${r.text}`);
    assert.equal(r.json.error.field, field, r.text);
    if (code) assert.equal(r.json.error.code, code, r.text);
  }
  assert.equal((await as.operator.get(`/api/v1/disputes?from=${iso(t0)}`)).json.total, 2);
});

let v1; // reported by the volunteer
let inc1; // a dispute from a command-room incident

test('who may report: grid staff in their own grid, officers and operators; analysts and auditors not', async () => {
  let r = await as.volunteer.post('/api/v1/disputes', neighbour({ location: undefined, description: '邻居装修噪音扰民' }));
  assert.equal(r.status, 201, r.text);
  v1 = r.json.dispute;
  assert.equal(v1.grid, VGRID, 'a volunteer reports in their own grid');
  assert.equal(v1.source, 'volunteer');
  assert.equal(v1.parties[0].phone, '138****5601');
  assert.equal(v1.parties[0].id_number, '330681********' + idnum('19800312').slice(14));
  assertError(await as.volunteer.post('/api/v1/disputes', neighbour({ unit: STATION })), 400, 'unknown_unit', 'unit');
  // Grid staff cannot link the command room's incidents.
  const a = await as.operator.post('/api/v1/alerts', {
    received_at: iso(t0 - 30 * MIN), source: 'phone_110', caller_name: '郑女士', caller_phone: '13700001111',
    address: '桃园社区5幢', location: { lat: vgridCentre.lat, lon: vgridCentre.lon }, category: 'dispute.family', description: '夫妻吵架',
  });
  assert.equal(a.status, 201, a.text);
  assertError(await as.gridworker.post('/api/v1/disputes', neighbour({ source: 'incident', incident_id: a.json.incident.id })), 400, 'unknown_incident', 'incident_id');
  r = await as.operator.post('/api/v1/disputes', neighbour({ type: 'family', description: '夫妻因家务琐事争吵', incident_id: a.json.incident.id, location: undefined, address: undefined, parties: [{ name: '郑女士', phone: '13700001111' }, { name: '郑女士丈夫' }] }));
  assert.equal(r.status, 201, r.text);
  inc1 = r.json.dispute;
  assert.equal(inc1.source, 'incident');
  assert.equal(inc1.incident_id, a.json.incident.id);
  assert.equal(inc1.grid, a.json.alert.grid, 'the grid defaults to the incident\'s');
  assert.equal(inc1.score, 0, 'the dispute\'s own incident is not a repeat call');
  assertError(await as.analyst.post('/api/v1/disputes', neighbour()), 403, 'forbidden');
  assertError(await as.auditor.get('/api/v1/disputes'), 403, 'forbidden');
  assertError(await as.chief2.post('/api/v1/disputes', neighbour({ unit: STATION })), 400, 'unknown_unit', 'unit');
});

test('scope: the other station\'s chief gets 404 on every endpoint; grid staff see their grid only', async () => {
  for (const [m, p, b] of [
    ['get', `/api/v1/disputes/${g1.id}`], ['get', `/api/v1/disputes/${g1.id}/agreement`],
    ['post', `/api/v1/disputes/${g1.id}/grade`, { grade: 'key', reason: 'x' }],
    ['post', `/api/v1/disputes/${g1.id}/assign`, {}],
    ['post', `/api/v1/disputes/${g1.id}/sessions`, { held_at: iso(t0), place: 'x', mediators: ['a'], participants: ['b'], said: 's' }],
    ['post', `/api/v1/disputes/${g1.id}/outcome`, { outcome: 'resolved' }],
    ['post', `/api/v1/disputes/${g1.id}/follow-ups`, { method: 'phone', result: 'x' }],
    ['post', `/api/v1/disputes/${g1.id}/reopen`, { reason: 'x' }],
  ]) {
    const r = b ? await as.chief2[m](p, b) : await as.chief2[m](p);
    assertError(r, 404, 'not_found');
  }
  assert.equal((await as.chief2.get('/api/v1/disputes')).json.total, 0, 'the demo\'s disputes are the main station\'s');
  // m1 has no grid (station-owned): out of the volunteer's reach.
  assertError(await as.volunteer.get(`/api/v1/disputes/${m1.id}`), 404, 'not_found');
  const mine = (await as.volunteer.get(`/api/v1/disputes?from=${iso(t0)}`)).json;
  assert.ok(mine.items.every((d) => d.grid === VGRID), JSON.stringify(mine.items.map((d) => d.grid)));
  assert.ok(mine.items.some((d) => d.id === g1.id));
  assertError(await as.chief.get('/api/v1/disputes/01a20a61-6864-76aa-9928-64fc56f58401'), 404, 'not_found');
});

test('grade override: with a reason, by officers only; both grades kept; deadline follows the grade', async () => {
  assertError(await as.volunteer.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'key', reason: 'x' }), 403, 'forbidden');
  assertError(await as.operator.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'key', reason: 'x' }), 403, 'forbidden');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'key' }), 400, 'missing_field', 'reason');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'huge', reason: 'x' }), 400, 'invalid_value', 'grade');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'major', reason: 'x' }), 409, 'same_grade', 'grade');
  const r = await as.community.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'key', reason: '经核实“拿刀”系气话，双方已冷静' });
  assert.equal(r.status, 200, r.text);
  const d = r.json.dispute;
  assert.equal(d.grade, 'key');
  assert.equal(d.grade_auto, 'major');
  assert.equal(d.grade_overridden, true);
  assert.equal(d.grade_override_reason, '经核实“拿刀”系气话，双方已冷静');
  assert.equal(d.grade_reasons.length, 6, 'the computed reasons stay');
  assert.equal(Date.parse(d.deadline_at) - Date.parse(d.reported_at), 15 * DAY);
  assert.equal(d.timeline.at(-1).kind, 'grade_override');
  m1 = d;
});

test('assignment: key and major need an officer, major a working group', async () => {
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/assign`, {}), 400, 'missing_field', 'user_id');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/assign`, { user_id: as.volunteer.user.id }), 400, 'user_cannot_act', 'user_id');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/assign`, { user_id: as.chief2.user.id }), 400, 'unknown_user', 'user_id');
  assertError(await as.community.post(`/api/v1/disputes/${m1.id}/assign`, { user_id: as.community.user.id, departments: ['army'] }), 400, 'invalid_value', 'departments');
  let r = await as.chief.post(`/api/v1/disputes/${m1.id}/assign`, { user_id: as.community.user.id, departments: ['court', 'village_committee'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispute.state, 'assigned');
  assert.equal(r.json.dispute.assigned_user_name, '王志强');
  assert.deepEqual(r.json.dispute.working_group.map((x) => x.label), ['人民法庭', '村（居）民委员会']);
  // Back to major: the working group is required.
  r = await as.chief.post(`/api/v1/disputes/${m1.id}/grade`, { grade: 'major', reason: '又有多人聚集' });
  assert.equal(r.status, 200, r.text);
  assertError(await as.chief.post(`/api/v1/disputes/${m1.id}/assign`, { user_id: as.community.user.id }), 400, 'missing_field', 'departments');
  assertError(await as.volunteer.post(`/api/v1/disputes/${g1.id}/assign`, {}), 403, 'forbidden');
});

test('mediation by a volunteer, the outcome with terms, and the agreement as print-ready HTML', async () => {
  const session = { held_at: iso(t0 - 30 * MIN), place: '桃园社区警务室调解室', mediators: ['赵大妈'], participants: ['陈秀英', '孙建华'], said: '双方陈述楼道杂物问题，互相谅解', agreed: '杂物三日内清理' };
  const post = (c, d, what, body) => c.post(`/api/v1/disputes/${d.id}/${what}`, body);
  assertError(await post(as.volunteer, g1, 'sessions', { ...session, mediators: [] }), 400, 'missing_field', 'mediators');
  assertError(await post(as.volunteer, g1, 'sessions', { ...session, held_at: iso(t0 + DAY) }), 400, 'in_future', 'held_at');
  assertError(await post(as.volunteer, g1, 'sessions', { ...session, said: '' }), 400, 'missing_field', 'said');
  let r = await post(as.volunteer, g1, 'sessions', session);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispute.state, 'mediating');
  assert.equal(r.json.dispute.session_count, 1);
  assert.deepEqual(r.json.dispute.sessions.map((x) => [x.place, x.mediators, x.agreed]), [[session.place, ['赵大妈'], '杂物三日内清理']]);

  // A volunteer mediates general disputes only.
  r = await post(as.community, v1, 'grade', { grade: 'key', reason: '装修方态度强硬' });
  assert.equal(r.status, 200, r.text);
  assertError(await post(as.volunteer, v1, 'sessions', session), 403, 'grade_needs_officer');
  assertError(await post(as.volunteer, v1, 'outcome', { outcome: 'resolved' }), 403, 'grade_needs_officer');
  assertError(await post(as.analyst, g1, 'sessions', session), 403, 'forbidden');

  for (const [body, code, field] of [
    [{ outcome: 'resolved_agreement' }, 'missing_field', 'terms'],
    [{ outcome: 'maybe' }, 'invalid_value', 'outcome'],
    [{}, 'missing_field', 'outcome'],
    [{ outcome: 'referred', referred_to: '人民法庭' }, 'missing_field', 'referred_kind'],
    [{ outcome: 'referred', referred_kind: 'court' }, 'missing_field', 'referred_to'],
    [{ outcome: 'failed' }, 'missing_field', 'note'],
    [{ outcome: 'resolved', terms: 'x' }, 'conflicting_fields', 'terms'],
    [{ outcome: 'failed', note: 'x', follow_up_days: [3] }, 'conflicting_fields', 'follow_up_days'],
    [{ outcome: 'resolved', follow_up_days: [0] }, 'invalid_value', 'follow_up_days'],
  ]) assertError(await post(as.volunteer, g1, 'outcome', body), 400, code, field);

  const terms = '一、陈秀英于三日内清理楼道杂物；\n二、双方今后互谅互让，不再因此争执。<script>alert(1)</script>';
  r = await post(as.volunteer, g1, 'outcome', { outcome: 'resolved_agreement', terms });
  assert.equal(r.status, 200, r.text);
  g1 = r.json.dispute;
  assert.equal(g1.state, 'resolved_agreement');
  assert.equal(g1.outcome, 'resolved_agreement');
  assert.equal(g1.agreement_terms, terms);
  assert.ok(g1.resolved_at);
  assert.equal(g1.overdue, false);
  const resolved = Date.parse(g1.resolved_at);
  assert.deepEqual(g1.follow_ups.map((f) => [Math.round((Date.parse(f.due_at) - resolved) / DAY), f.state]), [[1, 'pending'], [7, 'pending'], [30, 'pending']]);
  assertError(await post(as.volunteer, g1, 'outcome', { outcome: 'resolved' }), 409, 'invalid_transition', 'state');
  assertError(await post(as.volunteer, g1, 'sessions', session), 409, 'invalid_transition', 'state');

  // The agreement: full identity details, every text escaped, a print stylesheet.
  r = await as.community.get(`/api/v1/disputes/${g1.id}/agreement`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  const html = r.text;
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<h1>人民调解协议书<\/h1>/);
  assert.match(html, /@media print/);
  assert.ok(html.includes(g1.number));
  assert.ok(html.includes(idnum('19800312')), 'full ID number');
  assert.ok(html.includes('13812345601'), 'full phone');
  assert.ok(html.includes('陈&lt;b&gt;秀英&lt;/b&gt;'), 'names are escaped');
  assert.ok(!html.includes('<script>') && html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'terms are escaped');
  assert.ok(!html.includes('<b>'));
  assert.ok(html.includes('枫溪'), 'the station');
  assert.ok(html.includes('桃园社区警务室调解室'), 'the session');
  assert.equal((html.match(/当事人\d（签名或按指印）/g) || []).length, 2, 'a signature line per party');
  assertError(await as.volunteer.get(`/api/v1/disputes/${g1.id}/agreement`), 403, 'forbidden');
  assertError(await as.operator.get(`/api/v1/disputes/${g1.id}/agreement`), 403, 'forbidden');
  assertError(await as.chief.get(`/api/v1/disputes/${m1.id}/agreement`), 409, 'no_agreement');
});

test('follow-ups: one fine, then a flare-up reopens the dispute and raises its grade', async () => {
  const post = (c, body) => c.post(`/api/v1/disputes/${g1.id}/follow-ups`, body);
  assertError(await post(as.volunteer, { result: 'x' }), 400, 'missing_field', 'method');
  assertError(await post(as.volunteer, { method: 'letter', result: 'x' }), 400, 'invalid_value', 'method');
  assertError(await post(as.volunteer, { method: 'phone' }), 400, 'missing_field', 'result');
  assertError(await post(as.volunteer, { method: 'phone', result: 'x', follow_up_id: '01a20a61-6864-76aa-9928-64fc56f58401' }), 400, 'unknown_follow_up', 'follow_up_id');
  let r = await post(as.volunteer, { method: 'phone', result: '杂物已清理，双方无异议' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispute.state, 'following_up');
  assert.deepEqual(r.json.dispute.follow_ups.map((f) => f.state), ['done', 'pending', 'pending']);
  r = await post(as.volunteer, { method: 'visit', result: '双方又因杂物争吵，一方推搡对方', flare_up: true });
  assert.equal(r.status, 200, r.text);
  g1 = r.json.dispute;
  assert.equal(g1.state, 'reopened');
  assert.equal(g1.grade, 'key', 'raised one level');
  assert.equal(g1.grade_auto, 'general');
  assert.equal(g1.reopened_count, 1);
  assert.equal(g1.outcome, null);
  assert.deepEqual(g1.follow_ups.map((f) => f.state), ['done', 'done', 'cancelled']);
  assert.equal(g1.follow_ups[1].flare_up, true);
  assert.equal(Date.parse(g1.deadline_at) - Date.parse(g1.updated_at), 15 * DAY, 'a new deadline from the reopening');
  assert.deepEqual(g1.timeline.map((e) => e.kind), ['reported', 'session', 'outcome', 'follow_up', 'follow_up', 'reopened']);
  // Now key: the volunteer may no longer mediate it; the community officer resolves it again.
  assertError(await as.volunteer.post(`/api/v1/disputes/${g1.id}/sessions`, { held_at: iso(t0), place: 'x', mediators: ['a'], participants: ['b'], said: 's' }), 403, 'grade_needs_officer');
  r = await as.community.post(`/api/v1/disputes/${g1.id}/sessions`, { held_at: iso(t0 - MIN), place: '社区警务室', mediators: ['王志强', '赵大妈'], participants: ['陈秀英', '孙建华'], said: '再次调解' });
  assert.equal(r.status, 200, r.text);
  r = await as.community.post(`/api/v1/disputes/${g1.id}/outcome`, { outcome: 'resolved', note: '双方握手言和', follow_up_days: [2] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispute.follow_ups.filter((f) => f.state === 'pending').length, 1);
  r = await as.community.post(`/api/v1/disputes/${g1.id}/follow-ups`, { method: 'phone', result: '相安无事' });
  assert.equal(r.json.dispute.state, 'closed', 'the last follow-up closes it');
  assertError(await as.community.post(`/api/v1/disputes/${g1.id}/follow-ups`, { method: 'phone', result: 'x' }), 409, 'invalid_transition', 'state');
  assertError(await as.community.post(`/api/v1/disputes/${g1.id}/grade`, { grade: 'major', reason: 'x' }), 409, 'invalid_transition', 'state');
  assertError(await as.volunteer.post(`/api/v1/disputes/${g1.id}/reopen`, { reason: 'x' }), 403, 'forbidden');
  g1 = (await as.community.get(`/api/v1/disputes/${g1.id}`)).json.dispute;
});

let f1, r1;

test('more outcomes: referred to the court, failed', async () => {
  let r = await as.chief.post(`/api/v1/disputes/${m1.id}/outcome`, { outcome: 'referred', referred_kind: 'court', referred_to: '枫溪人民法庭' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dispute.state, 'referred');
  assert.equal(r.json.dispute.follow_ups.length, 0);
  assert.equal(r.json.dispute.timeline.at(-1).text, '已移送：枫溪人民法庭');
  r = await as.community.post(`/api/v1/disputes/${v1.id}/sessions`, { held_at: iso(t0 - MIN), place: '社区警务室', mediators: ['王志强'], participants: ['陈秀英'], said: '装修方拒绝调解' });
  assert.equal(r.status, 200, r.text);
  r = await as.community.post(`/api/v1/disputes/${v1.id}/outcome`, { outcome: 'failed', note: '装修方拒绝调解' });
  assert.equal(r.status, 200, r.text);
  f1 = r.json.dispute;
  assert.equal(f1.state, 'failed');
  // A new dispute of the same party now carries the failed mediation in its grade.
  r = await as.community.post('/api/v1/disputes', neighbour({ description: '装修噪音问题再起', parties: [{ name: '陈秀英', phone: '13812345601' }] }));
  assert.equal(r.status, 201, r.text);
  r1 = r.json.dispute;
  assert.deepEqual(r1.grade_reasons, ['同一当事人近90天内有1起调解失败的纠纷（+15分）', '风险分合计15分，定为一般纠纷（25分以下）']);
});

test('every step is audited; grade changes keep both grades; agreement reads are reveals', async () => {
  let r = await as.auditor.get(`/api/v1/audit?object_type=dispute&object_id=${g1.id}&per_page=50`);
  assert.equal(r.status, 200, r.text);
  const items = [...r.json.items].reverse();
  const writes = items.filter((e) => e.action.startsWith('dispute.'));
  assert.deepEqual(writes.map((e) => [e.action, e.username]), [
    ['dispute.create', 'community'],
    ['dispute.session', 'volunteer'],
    ['dispute.outcome', 'volunteer'],
    ['dispute.follow_up', 'volunteer'],
    ['dispute.reopen', 'volunteer'],
    ['dispute.session', 'community'],
    ['dispute.outcome', 'community'],
    ['dispute.follow_up', 'community'],
  ]);
  assert.equal(writes[0].detail.number, g1.number);
  assert.equal(writes[0].detail.grade, 'general');
  assert.deepEqual([writes[4].detail.grade_from, writes[4].detail.grade_to], ['general', 'key']);
  const reveal = items.find((e) => e.action === 'person.reveal');
  assert.equal(reveal.reason, 'mediation_agreement');
  assert.equal(reveal.username, 'community');
  assert.ok(items.some((e) => e.action === 'person.read'), 'reading a dispute is audited');
  r = await as.auditor.get(`/api/v1/audit?object_type=dispute&object_id=${m1.id}&action=dispute.grade&per_page=50`);
  const grades = [...r.json.items].reverse();
  assert.deepEqual(grades.map((e) => [e.detail.grade_from, e.detail.grade_to, e.reason]), [['major', 'key', '经核实“拿刀”系气话，双方已冷静'], ['key', 'major', '又有多人聚集']]);
});

test('lists filter and sort; bad filters are named', async () => {
  let r = await as.chief.get(`/api/v1/disputes?sort=reported&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [g1.id, m1.id, v1.id, inc1.id, r1.id]);
  r = await as.chief.get(`/api/v1/disputes?state=open&sort=reported&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [inc1.id, r1.id]);
  r = await as.chief.get(`/api/v1/disputes?grade=major&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [m1.id]);
  r = await as.chief.get(`/api/v1/disputes?type=family&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [inc1.id]);
  r = await as.chief.get(`/api/v1/disputes?unit=${VGRID}&sort=reported&from=${iso(t0)}`);
  assert.ok(r.json.items.every((d) => d.grid === VGRID));
  r = await as.chief.get(`/api/v1/disputes?sort=-score&per_page=1&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((d) => d.id), [m1.id]);
  assert.equal(r.json.total, 5);
  assertError(await as.chief.get('/api/v1/disputes?from=yesterday'), 400, 'invalid_time', 'from');
  for (const [q, field] of [['state=asleep', 'state'], ['overdue=2', 'overdue'], ['sort=name', 'sort'], ['grade=huge', 'grade'], ['type=x', 'type'], ['unit=nowhere', 'unit']]) {
    assertError(await as.chief.get(`/api/v1/disputes?${q}`), 400, 'invalid_query', field);
  }
});


test('KPIs: exact figures for the station and per grid', async () => {
  // found 5: g1 (closed, resolved after a reopening, mediated), m1 (referred, not mediated),
  // v1 (failed, mediated), inc1 (open), r1 (open).
  const k = await kpi(as.chief, STATION, t0 - DAY, t0 + DAY);
  assert.equal(k.status, 200, k.text);
  const j = k.json;
  assert.equal(j.found, 5);
  assert.equal(j.resolved, 1);
  assert.equal(j.resolved_agreement, 0, 'g1 was last resolved without an agreement');
  assert.equal(j.referred, 1);
  assert.equal(j.failed, 1);
  assert.equal(j.open, 2);
  assert.equal(j.overdue, 0);
  assert.equal(j.mediated, 2);
  assert.equal(j.reopened, 1);
  assert.equal(j.escalated, 0);
  assert.equal(j.resolution_rate, 0.2);
  assert.equal(j.mediation_success_rate, 0.5, 'g1 resolved, v1 failed');
  const days = (Date.parse(g1.resolved_at) - Date.parse(g1.reported_at)) / DAY;
  assert.equal(j.avg_days_to_resolve, Math.round(days * 100) / 100);
  assert.deepEqual(j.grades, { general: 2, key: 2, major: 1 }, 'inc1 and r1 general; g1 (raised) and v1 (overridden) key; m1 major');
  const sum = j.grids.reduce((s, g) => s + g.found, 0);
  assert.equal(sum, 5, 'the grids add up');
  const none = j.grids.find((g) => g.grid === null);
  assert.equal(none.found, 1, 'm1 has no grid');
  const vg = j.grids.find((g) => g.grid === VGRID);
  assert.ok(vg.found >= 3);
  // The other station and an empty period.
  const k2 = await kpi(as.chief2, STATION2, t0 - DAY, t0 + DAY);
  assert.equal(k2.json.found, 0);
  assert.equal(k2.json.resolution_rate, null);
  assertError(await kpi(as.chief2, STATION, t0 - DAY, t0 + DAY), 404, 'not_found');
  assertError(await as.chief.get(`/api/v1/kpi/disputes?to=${iso(t0)}`), 400, 'missing_field', 'from');
  assertError(await as.chief.get(`/api/v1/kpi/disputes?from=${iso(t0)}&to=${iso(t0)}`), 400, 'invalid_query', 'to');
  assertError(await as.auditor.get(`/api/v1/kpi/disputes?from=${iso(t0)}&to=${iso(t0 + DAY)}`), 403, 'forbidden');
  const ka = await kpi(as.analyst, '339902', t0 - DAY, t0 + DAY);
  assert.equal(ka.status, 200, ka.text);
  assert.equal(ka.json.found, 5);
});

test('eight days later: open general disputes are overdue and escalated to the chief once; KPIs count them', async () => {
  await restartAt(srv, 8 * DAY);
  await loginAll();
  // r1 (general, 7 days) is overdue; inc1 too (general); g1 closed, m1 referred, v1 failed are not.
  await waitFor(async () => (await as.chief.get(`/api/v1/disputes/${r1.id}`)).json.dispute.escalated_at !== null, 10000);
  const d = (await as.chief.get(`/api/v1/disputes/${r1.id}`)).json.dispute;
  assert.equal(d.overdue, true);
  assert.equal(d.escalated_to_name, '周建国');
  assert.deepEqual(d.timeline.filter((e) => e.kind === 'escalation').length, 1);
  let r = await as.chief.get(`/api/v1/disputes?overdue=1&sort=reported&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [inc1.id, r1.id]);
  r = await as.chief.get(`/api/v1/disputes?overdue=0&sort=reported&from=${iso(t0)}`);
  assert.deepEqual(r.json.items.map((x) => x.id), [g1.id, m1.id, v1.id]);
  const k = await kpi(as.chief, STATION, t0 - DAY, t0 + DAY);
  assert.equal(k.json.overdue, 2);
  assert.equal(k.json.escalated, 2);
  r = await as.auditor.get(`/api/v1/audit?object_type=dispute&object_id=${r1.id}&action=dispute.escalate`);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].username, 'system');
});
