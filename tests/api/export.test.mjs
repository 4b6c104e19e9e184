// Export of incidents (GET /api/v1/incidents/export, docs/export.md): the
// CSV parsed back with a small RFC 4180 parser and compared row by row with
// the JSON list for the same filters; phones masked per role; the caller's
// scope; the formula-injection guard; the xlsx read back from its zip
// (node:zlib) with its header row, text cells and real date-time cells;
// bad filters; the row cap; one audit entry per export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';
import { parseCsv, unzip, cells } from '../lib/sheets.mjs';

const HEADERS = ['编号', '接警时间', '最后报警时间', '类别', '细类', '状态', '优先级', '所属单位', '网格', '地址',
  '纬度', '经度', '报警人', '报警电话', '报警次数', '重复报警', '重复地点', '派警时间', '到场时间', '处置结果',
  '反馈情况', '结案原因', '结案时间', '并入警情'];

let srv;
const as = {};
const MIN = 60 * 1000;
// A window of our own, 400 days back: the demo's year of alerts ends before it.
const base = Date.now() - 400 * 24 * 60 * MIN;
const iso = (ms) => new Date(ms).toISOString();
const from = iso(base - 10 * MIN);
const to = iso(base + 60 * MIN);
const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
const made = [];

async function loginAll() {
  for (const name of ['operator', 'chief', 'community', 'volunteer', 'chief2', 'auditor']) as[name] = await loginAs(srv, who(srv, name));
}

before(async () => {
  srv = await startServer({ demo: true });
  await loginAll();
  const reports = [
    { caller_name: '=HYPERLINK("http://x","y")', caller_phone: '138 1234 5678', address: '枫溪镇桃园路8号, "夜宵"排档', category: 'public_order.noise', description: '深夜喧哗' },
    { caller_name: '张三', caller_phone: '+86 139-8765-4321', address: '-2 号楼', category: 'criminal.theft', description: '电动车被盗' },
    { caller_name: '@李四', caller_phone: '0571-8888 1234', address: '枫溪镇文化广场', category: 'dispute.neighbour', description: '楼上漏水引发纠纷' },
  ];
  for (let i = 0; i < reports.length; i++) {
    const r = await as.operator.post('/api/v1/alerts', {
      received_at: iso(base + i * 20 * MIN), source: 'phone_110', priority: 3,
      location: { lat: 29.70 + i * 0.02, lon: 120.20 + i * 0.02 }, ...reports[i],
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.merge.decision, 'new', r.text);
    made.push(r.json);
  }
  // One incident in the other station, in the same window.
  const r = await as.chief2.post('/api/v1/alerts', {
    received_at: iso(base + 5 * MIN), source: 'walk_in', caller_name: '外所', caller_phone: '13700001111',
    address: '另一个所的地址', category: 'help.lost_property', description: '钱包遗失',
  });
  assert.equal(r.status, 201, r.text);
  made.push(r.json);
});

after(async () => {
  await stopAndCheck(srv);
});

async function fetchRaw(client, path) {
  const r = await fetch(client.base + path, { headers: { Cookie: client.cookie } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

async function csvOf(client, query) {
  const r = await fetchRaw(client, `/api/v1/incidents/export?format=csv&${query}`);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
  const rows = parseCsv(r.body.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], HEADERS);
  return { r, rows: rows.slice(1).map((x) => Object.fromEntries(HEADERS.map((h, k) => [h, x[k]]))) };
}

/** "2026-11-23T08:00:00+08:00" → "2026-11-23 08:00:00" (the JSON gives China time). */
const cst = (s) => (s ? s.slice(0, 19).replace('T', ' ') : '');

test('CSV: the rows of the JSON list for the same filters, in its order, with zh-CN headers', async () => {
  const list = await as.operator.get(`/api/v1/incidents?${q}&per_page=200`);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.total >= 3 && list.json.total < 200, `total ${list.json.total}`);
  const { r, rows } = await csvOf(as.operator, q);
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  const cd = r.headers.get('content-disposition');
  assert.match(cd, /^attachment; /);
  assert.ok(cd.includes(`filename*=UTF-8''${encodeURIComponent('警情')}_${today}.csv`), cd);
  assert.equal(rows.length, list.json.total);
  list.json.items.forEach((it, k) => {
    const row = rows[k];
    assert.equal(row['编号'], it.number);
    assert.equal(row['接警时间'], cst(it.first_received_at));
    assert.equal(row['状态'], it.state_label);
    assert.equal(row['报警次数'], String(it.alert_count));
    assert.equal(row['所属单位'], it.unit);
    assert.equal(row['优先级'], String(it.priority));
    assert.equal(row['纬度'], it.location ? it.location.lat.toFixed(6) : '');
    assert.equal(row['结案时间'], cst(it.closed_at));
  });
  // Our incidents: the category labels, the first caller, the address with a comma and quotes.
  const mine = rows.find((x) => x['编号'] === made[0].incident.number);
  assert.equal(mine['类别'], '治安类');
  assert.equal(mine['细类'], '噪音扰民');
  assert.equal(mine['地址'], '枫溪镇桃园路8号, "夜宵"排档');
  assert.equal(mine['报警电话'], '138 1234 5678', 'the operator has phone.read');
  assert.equal(mine['重复报警'], '否');
});

test('CSV: cells starting with = + - @ get a leading apostrophe (formula injection)', async () => {
  const { rows } = await csvOf(as.operator, q);
  const byNo = (n) => rows.find((x) => x['编号'] === n);
  assert.equal(byNo(made[0].incident.number)['报警人'], `'=HYPERLINK("http://x","y")`);
  assert.equal(byNo(made[1].incident.number)['地址'], `'-2 号楼`);
  assert.equal(byNo(made[1].incident.number)['报警电话'], `'+86 139-8765-4321`);
  assert.equal(byNo(made[2].incident.number)['报警人'], `'@李四`);
  assert.equal(byNo(made[2].incident.number)['报警人'].startsWith("''"), false);
});

test('phones are masked exactly as the JSON masks them for a role without phone.read', async () => {
  const { rows } = await csvOf(as.community, q);
  for (const m of made.slice(0, 3)) {
    const a = await as.community.get(`/api/v1/alerts/${m.alert.id}`);
    assert.equal(a.status, 200, a.text);
    const row = rows.find((x) => x['编号'] === m.incident.number);
    assert.notEqual(a.json.alert.caller_phone, m.alert.caller_phone, 'masked in the JSON');
    const want = /^[=+\-@]/.test(a.json.alert.caller_phone) ? `'${a.json.alert.caller_phone}` : a.json.alert.caller_phone;
    assert.equal(row['报警电话'], want);
    assert.match(row['报警电话'], /\*\*\*/);
  }
});

test("scope: the other station's chief sees none of the first station's incidents", async () => {
  const { rows } = await csvOf(as.chief2, q);
  assert.ok(rows.length >= 1);
  for (const row of rows) assert.equal(row['所属单位'], '339902520000');
  assert.ok(rows.some((x) => x['编号'] === made[3].incident.number));
  for (const m of made.slice(0, 3)) assert.ok(!rows.some((x) => x['编号'] === m.incident.number));
  const { rows: ours } = await csvOf(as.chief, q);
  assert.ok(!ours.some((x) => x['编号'] === made[3].incident.number));
});

test('state filter: the export follows it like the list', async () => {
  const list = await as.operator.get(`/api/v1/incidents?${q}&state=received&per_page=200`);
  const { rows } = await csvOf(as.operator, `${q}&state=received`);
  assert.deepEqual(rows.map((x) => x['编号']), list.json.items.map((x) => x.number));
  for (const row of rows) assert.equal(row['状态'], '已接警');
});

const col = (k) => String.fromCharCode(65 + k);

test('xlsx: a zip workbook with the header row, text cells and real China-time date-times', async () => {
  const r = await fetchRaw(as.community, `/api/v1/incidents/export?format=xlsx&${q}`);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''%E8%AD%A6%E6%83%85_\d{8}\.xlsx$/);
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const files = unzip(r.body);
  assert.match(files['xl/workbook.xml'], /name="警情"/);
  const c = cells(files);
  HEADERS.forEach((h, k) => assert.equal(c[`${col(k)}1`]?.v, h, `header ${col(k)}1`));
  const list = await as.community.get(`/api/v1/incidents?${q}&per_page=200`);
  assert.equal(c[`A${list.json.total + 1}`]?.v, list.json.items.at(-1).number);
  assert.equal(c[`A${list.json.total + 2}`], undefined, 'no row beyond the list');
  list.json.items.forEach((it, k) => {
    const row = k + 2;
    assert.equal(c[`A${row}`].v, it.number);
    // Excel serial days since 1899-12-30, in China time.
    const serial = (Date.parse(it.first_received_at) + 8 * 3600 * 1000) / 86400000 + 25569;
    assert.equal(c[`B${row}`].t, 'n');
    assert.ok(Math.abs(Number(c[`B${row}`].v) - serial) < 1e-6, `B${row}: ${c[`B${row}`].v} vs ${serial}`);
    assert.equal(c[`O${row}`].v, String(it.alert_count));
  });
  // The date cells carry a date-time number format.
  const k = list.json.items.findIndex((x) => x.number === made[0].incident.number);
  const style = Number(c[`B${k + 2}`].s);
  const xf = [...files['xl/styles.xml'].match(/<cellXfs[^>]*>(.*?)<\/cellXfs>/s)[1].matchAll(/<xf [^>]*numFmtId="(\d+)"/g)][style][1];
  assert.match(files['xl/styles.xml'], new RegExp(`<numFmt numFmtId="${xf}" formatCode="yyyy-mm-dd hh:mm:ss"`));
  // Text stays text: the caller name is a string cell, as written, never a formula; the phone masked.
  assert.equal(c[`M${k + 2}`].v, '=HYPERLINK("http://x","y")');
  assert.notEqual(c[`M${k + 2}`].t, 'n');
  assert.doesNotMatch(files['xl/worksheets/sheet1.xml'], /<f>/);
  assert.match(c[`N${k + 2}`].v, /\*\*\*/);
});

test('bad requests: format, state, from; no incident.read; all JSON errors naming the field', async () => {
  assertError(await as.operator.get(`/api/v1/incidents/export?${q}`), 400, 'invalid_query', 'format');
  assertError(await as.operator.get(`/api/v1/incidents/export?format=pdf&${q}`), 400, 'invalid_query', 'format');
  assertError(await as.operator.get('/api/v1/incidents/export?format=csv&state=bogus'), 400, 'invalid_query', 'state');
  assertError(await as.operator.get('/api/v1/incidents?state=bogus'), 400, 'invalid_query', 'state');
  const bad = await as.operator.get('/api/v1/incidents/export?format=csv&from=yesterday');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'from');
  assertError(await as.volunteer.get(`/api/v1/incidents/export?format=csv&${q}`), 403, 'forbidden');
});

test('one audit entry per export, with its filters and row count', async () => {
  const r = await as.auditor.get('/api/v1/audit?action=incident.export&per_page=100');
  assert.equal(r.status, 200, r.text);
  const items = r.json.items;
  // The exports above: operator 3 (CSV), community 2 (CSV, xlsx), chief2 1, chief 1.
  const byUser = (u) => items.filter((e) => e.username === u);
  assert.equal(byUser('operator').length, 3);
  assert.equal(byUser('chief').length, 1);
  assert.equal(byUser('community').length, 2);
  assert.equal(byUser('chief2').length, 1);
  const x = byUser('community').find((e) => e.detail.format === 'xlsx');
  assert.ok(x, JSON.stringify(items));
  const list = await as.community.get(`/api/v1/incidents?${q}&per_page=200`);
  assert.equal(x.detail.rows, list.json.total);
  assert.equal(x.detail.phones_masked, true);
  assert.equal(x.detail.from, from);
  assert.equal(x.detail.to, to);
  const s = byUser('operator').find((e) => e.detail.state === 'received');
  assert.equal(s.detail.format, 'csv');
  assert.equal(s.detail.phones_masked, false);
  // Refused exports leave no entry: the volunteer's 403 and the 400s.
  assert.equal(byUser('volunteer').length, 0);
});

/** Run the CLI; resolves { code, stdout, stderr } whatever the exit code. */
async function cli(args) {
  try {
    return await fq(args);
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('CLI: export incidents writes the same CSV as the API for a masked role, never overwrites, is audited', async () => {
  const out = join(srv.dir, 'export.csv');
  const args = ['export', 'incidents', '--db', srv.db, '--unit', '339902510000', '--from', from, '--to', to, '--format', 'csv', '--out', out];
  const r = await cli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^3 incidents written to /);
  const api = await fetchRaw(as.community, `/api/v1/incidents/export?format=csv&${q}`);
  assert.equal(readFileSync(out).toString('utf8'), api.body.toString('utf8'));
  // Never overwritten.
  writeFileSync(out, 'mine');
  const again = await cli(args);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists/);
  assert.equal(readFileSync(out, 'utf8'), 'mine');
  // Full phones on request; a China-time day for --from/--to; xlsx.
  const day = new Date(base + 8 * 3600e3).toISOString().slice(0, 10);
  const xout = join(srv.dir, 'export.xlsx');
  const x = await cli(['export', 'incidents', '--db', srv.db, '--unit', '339902510000', '--from', day, '--to', day, '--format', 'xlsx', '--out', xout, '--full-phones']);
  assert.equal(x.code, 0, x.stderr);
  const c = cells(unzip(readFileSync(xout)));
  const phones = Object.entries(c).filter(([k]) => k.startsWith('N') && k !== 'N1').map(([, v]) => v.v);
  assert.ok(phones.includes('138 1234 5678'), JSON.stringify(phones));
  // Usage errors.
  assert.equal((await cli(['export', 'incidents', '--db', srv.db, '--unit', '339902510000', '--format', 'pdf', '--out', join(srv.dir, 'x')])).code, 2);
  assert.equal((await cli(['export', 'incidents', '--db', srv.db, '--format', 'csv', '--out', join(srv.dir, 'x')])).code, 2);
  const bad = await cli(['export', 'incidents', '--db', srv.db, '--unit', '339902510000', '--state', 'nope', '--format', 'csv', '--out', join(srv.dir, 'x')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[state\]/);
  const audit = await as.auditor.get('/api/v1/audit?action=incident.export&per_page=100');
  const mine = audit.json.items.filter((e) => e.username.startsWith('cli:'));
  assert.equal(mine.length, 2);
  assert.deepEqual(mine.map((e) => e.detail.format).sort(), ['csv', 'xlsx']);
  assert.equal(mine.find((e) => e.detail.format === 'csv').detail.rows, 3);
});

test('beyond the row cap: 422 naming the filters, and no file', async () => {
  srv.env = { ...srv.env, FQ_EXPORT_MAX_ROWS: '2' };
  await srv.restart();
  await loginAll();
  const r = await as.operator.get(`/api/v1/incidents/export?format=csv&${q}`);
  const e = assertError(r, 422, 'too_many_rows', 'from');
  assert.match(e.message, /超过 2 条/);
  assert.ok(e.message.includes(from), e.message);
  assert.ok(e.message.includes(to), e.message);
  const ok = await fetchRaw(as.operator, `/api/v1/incidents/export?format=csv&${q}&state=closed`);
  assert.equal(ok.status, 200);
});
