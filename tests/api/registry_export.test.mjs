// Export of the registries (GET /api/v1/{people,houses,organisations}/export,
// docs/community.md "Export"): the CSV parsed back and compared row by row
// with the JSON list for the same filters (so masking, scope and filters are
// those of the list), paging through more than one list page, the xlsx read
// back from its zip, bad filters named, the row cap, rights, and one audit
// entry per export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { parseCsv, xlsxRows } from '../lib/sheets.mjs';
import { who, assertError, stopAndCheck } from './helpers.mjs';

const PEOPLE = ['姓名', '身份证号', '性别', '出生年份', '手机号', '住址', '人员类别', '网格', '所属单位'];
const HOUSES = ['地址', '用途', '房主', '居住人数', '网格', '所属单位', '纬度', '经度', '备注'];
const ORGS = ['名称', '统一社会信用代码', '类型', '重点行业', '地址', '负责人', '负责人电话', '从业人员数', '网格', '所属单位'];
const USE = { self_occupied: '自住', rented: '出租', vacant: '空置', commercial: '经营' };
const CAP = 500;

let srv;
const as = {};

before(async () => {
  // The small demo town (about 976 people, 455 houses); the cap below the people.
  srv = await startServer({ demo: true, env: { FQ_EXPORT_MAX_ROWS: String(CAP) } });
  for (const name of ['chief', 'operator', 'gridworker', 'volunteer', 'auditor', 'chief2']) as[name] = await loginAs(srv, who(srv, name));
});

after(async () => {
  await stopAndCheck(srv);
});

async function fetchRaw(client, path) {
  const r = await fetch(client.base + path, { headers: { Cookie: client.cookie } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

async function csvOf(client, what, query, headers) {
  const r = await fetchRaw(client, `/api/v1/${what}/export?format=csv&${query}`);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="${what}_\\d{8}\\.csv"; filename\\*=UTF-8''%`));
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark');
  const rows = parseCsv(r.body.subarray(3).toString('utf8'));
  assert.deepEqual(rows[0], headers);
  return rows.slice(1);
}

async function listAll(client, what, query) {
  const items = [];
  for (let page = 1; ; page++) {
    const r = await client.get(`/api/v1/${what}?per_page=200&page=${page}&${query}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    if (items.length >= r.json.total) return items;
  }
}

test('people: the rows of the list for a search, masked as the list is', async () => {
  const query = `q=${encodeURIComponent('王')}&sort=name`;
  const list = await listAll(as.chief, 'people', query);
  assert.ok(list.length > 5, 'the demo has people named 王');
  const rows = await csvOf(as.chief, 'people', query, PEOPLE);
  assert.equal(rows.length, list.length);
  rows.forEach((row, k) => {
    const it = list[k];
    assert.equal(row[0], it.name);
    assert.equal(row[1], it.id_number);
    assert.match(row[1], /^\d{6}\*{8}\d{3}[\dX]$/, 'ID numbers masked');
    assert.equal(row[2], it.sex === 'M' ? '男' : '女');
    assert.equal(row[3], String(it.birth_year));
    assert.equal(row[4], it.phone ?? '');
    assert.equal(row[5], it.address ?? '');
    assert.equal(row[8], it.unit);
  });
  // A category filter.
  const floating = await listAll(as.chief, 'people', 'category=floating');
  const frows = await csvOf(as.chief, 'people', 'category=floating', PEOPLE);
  assert.equal(frows.length, floating.length);
  for (const row of frows) assert.match(row[6], /流动人口/);
});

test('houses: every page of the list, addresses masked for the operator', async () => {
  const list = await listAll(as.chief, 'houses', '');
  assert.ok(list.length > 200 && list.length <= CAP, `houses: ${list.length}`);
  const rows = await csvOf(as.chief, 'houses', '', HOUSES);
  assert.deepEqual(rows.map((r) => r[0]), list.map((h) => h.address));
  rows.forEach((row, k) => {
    assert.equal(row[1], USE[list[k].use]);
    assert.equal(row[3], String(list[k].occupant_count));
  });
  // Searches: a two-character term (streamed from one query), and a one-character term
  // (answered from the index alone, 200 at a time: every page is read).
  for (const term of ['枫溪', '枫']) {
    const found = await listAll(as.chief, 'houses', `q=${encodeURIComponent(term)}`);
    assert.ok(found.length > 400, `houses matching ${term}: ${found.length}`);
    const frows = await csvOf(as.chief, 'houses', `q=${encodeURIComponent(term)}`, HOUSES);
    assert.deepEqual(frows.map((r) => r[0]), found.map((h) => h.address), term);
  }
  const opList = await listAll(as.operator, 'houses', 'use=rented');
  const opRows = await csvOf(as.operator, 'houses', 'use=rented', HOUSES);
  assert.deepEqual(opRows.map((r) => r[0]), opList.map((h) => h.address));
  for (const row of opRows) {
    assert.match(row[0], /\*\*\*\*$/, 'the operator sees masked addresses');
    assert.equal(row[6], '', 'and no coordinates');
    assert.equal(row[1], '出租');
  }
  // The grid worker's scope.
  const gw = await listAll(as.gridworker, 'houses', '');
  const gwRows = await csvOf(as.gridworker, 'houses', '', HOUSES);
  assert.equal(gwRows.length, gw.length);
  assert.ok(gw.length < list.length);
  assert.equal((await csvOf(as.chief2, 'houses', '', HOUSES)).length, (await listAll(as.chief2, 'houses', '')).length);
});

test('organisations: xlsx with the list rows; group filters', async () => {
  const r = await fetchRaw(as.chief, '/api/v1/organisations/export?format=xlsx&group=small');
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(r.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const rows = xlsxRows(r.body);
  assert.deepEqual(rows[0], ORGS);
  const list = await listAll(as.chief, 'organisations', 'group=small');
  assert.ok(list.length > 0);
  assert.equal(rows.length - 1, list.length);
  list.forEach((o, k) => {
    const row = rows[k + 1];
    assert.equal(row[0], o.name);
    assert.equal(row[2], o.type_label);
    assert.ok(o.type.startsWith('small_'));
    assert.equal(row[3], '否');
    assert.equal(row[6] ?? '', o.responsible_phone ?? '', 'the phone as the list shows it');
    assert.equal(Number(row[7]), o.employees);
  });
  const reg = await csvOf(as.chief, 'organisations', 'group=regulated', ORGS);
  assert.equal(reg.length, (await listAll(as.chief, 'organisations', 'regulated=1')).length);
  for (const row of reg) assert.equal(row[3], '是');
});

test('bad filters are named; rights; the row cap', async () => {
  assertError(await as.chief.get('/api/v1/people/export?format=pdf'), 400, 'invalid_query', 'format');
  assertError(await as.chief.get('/api/v1/people/export'), 400, 'invalid_query', 'format');
  assertError(await as.chief.get('/api/v1/houses/export?format=csv&use=palace'), 400, 'invalid_query', 'use');
  assertError(await as.chief.get('/api/v1/organisations/export?format=csv&group=casinos'), 400, 'invalid_query', 'group');
  assertError(await as.chief.get('/api/v1/people/export?format=csv&sort=id_number'), 400, 'invalid_query', 'sort');
  assertError(await as.volunteer.get('/api/v1/people/export?format=csv'), 403, 'forbidden');
  assertError(await as.volunteer.get('/api/v1/houses/export?format=csv'), 403, 'forbidden');
  assertError(await as.auditor.get('/api/v1/organisations/export?format=csv'), 403, 'forbidden');
  const e = assertError(await as.chief.get('/api/v1/people/export?format=csv'), 422, 'too_many_rows', 'q');
  assert.match(e.message, new RegExp(`${CAP}`));
});

test('one audit entry per export with its filters, scope and row count', async () => {
  const r = await as.auditor.get('/api/v1/audit?action=house.export&per_page=100');
  assert.equal(r.status, 200, r.text);
  const op = r.json.items.filter((e) => e.username === 'operator');
  assert.equal(op.length, 1);
  assert.deepEqual(op[0].detail.filters, { use: 'rented' });
  assert.equal(op[0].detail.rows, (await listAll(as.operator, 'houses', 'use=rented')).length);
  assert.equal(op[0].detail.format, 'csv');
  const p = await as.auditor.get('/api/v1/audit?action=person.export&per_page=100');
  assert.equal(p.json.items.length, 2, 'the two people exports; refused ones leave none');
  const o = await as.auditor.get('/api/v1/audit?action=organisation.export&per_page=100');
  assert.ok(o.json.items.some((e) => e.detail.format === 'xlsx' && e.detail.filters.group === 'small'));
});
