// fengqiao import organisations (CSV UTF-8/GB18030, Chinese headers,
// full-width values, all or nothing with "line N: reason", dry runs), and
// xlsx input for the three registry imports (people, houses,
// organisations): shared and inline strings, date-formatted cells, rows
// starting lower in the sheet, cells with line breaks, and "line N" naming
// the sheet's row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { idNumber, uscc } from '../lib/idgen.mjs';
import { writeXlsx } from '../lib/sheets.mjs';
import { who, stopAndCheck } from './helpers.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'fq-import-registry-'));
let srv, chief;

before(async () => {
  srv = await startServer({ demo: true, registry: 'none' });
  chief = await loginAs(srv, who(srv, 'chief'));
});

after(async () => {
  await stopAndCheck(srv);
  rmSync(tmp, { recursive: true, force: true });
});

const toGb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
const fw = (s) => s.replace(/[0-9A-Z]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
const CODE_A = uscc('91339902MA2HQ1A0X');
const CODE_B = uscc('92339902MA2HQ2B0Y');
const CODE_C = uscc('52339902MA2HQ3C0Q');
const badCheck = (c) => c.slice(0, 17) + (c[17] === '0' ? '1' : '0');

async function run(kind, args) {
  try {
    const r = await fq(['import', kind, '--db', srv.db, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name, content) {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

async function orgs(q = '') {
  const r = await chief.get(`/api/v1/organisations?per_page=200${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('organisations: every bad row is named by its line and nothing is written', async () => {
  const rows = [
    '单位名称,统一社会信用代码,单位类型,地址,负责人,负责人电话,从业人员数',
    `悦来宾馆,${CODE_A},旅馆业,枫溪镇桃园路1号,周建,13900001111,12`,
    `坏代码商店,${badCheck(CODE_B)},小商店,枫溪镇桃园路2号,吴敏,13900002222,2`,
    '无类型单位,,赌场,枫溪镇桃园路3号,,,',
    `重复代码网吧,${CODE_A},网吧,枫溪镇桃园路4号,郑强,13900003333,5`,
    ',,小餐饮,枫溪镇桃园路5号,,,',
    '人数不对的店,,小商店,枫溪镇桃园路6号,,,很多',
    '缺列的店,,小商店',
  ];
  const p = file('bad.csv', rows.join('\n') + '\n');
  const r = await run('organisations', ['--dry-run', p]);
  assert.equal(r.code, 1, r.stdout);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('line '));
  assert.deepEqual(lines.map((l) => /^line (\d+):/.exec(l)[1]), ['3', '4', '6', '7', '8', '5']);
  assert.match(r.stderr, /line 3: 统一社会信用代码: /);
  assert.match(r.stderr, /line 4: 单位类型: 未知的单位类型：赌场/);
  assert.match(r.stderr, /line 5: 统一社会信用代码: 统一社会信用代码与第 2 行重复/);
  assert.match(r.stderr, /line 6: 单位名称: /);
  assert.match(r.stderr, /line 7: 从业人员数: /);
  assert.match(r.stderr, /line 8: 该行有 3 列/);
  // The same file without --dry-run: still nothing.
  assert.equal((await run('organisations', [p])).code, 1);
  assert.equal((await orgs()).total, 0);
});

test('organisations: GB18030, full-width codes and digits, labels; a dry run writes nothing, then the import', async () => {
  const text = [
    '名称,信用代码,类型,地址,法定代表人,联系电话,员工人数,纬度,经度,备注',
    `悦来宾馆,${fw(CODE_A)},旅馆业,枫溪镇桃园路１号, 周建 ,１３９ ０００１ １１１１,１２,,,"二楼,三楼客房"`,
    `鑫鑫小卖部,${CODE_B.toLowerCase()},small_shop,枫溪镇桃园路２号,吴敏,13900002222,2,,,`,
    '枫溪中心小学,,学校,枫溪镇文化路9号,陈校长,,80,,,',
  ].join('\r\n') + '\r\n';
  const p = file('gb.csv', toGb18030(text));
  let r = await run('organisations', ['--dry-run', p]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /dry run, nothing written \(GB18030\): 3 rows, 3 organisations/);
  assert.equal((await orgs()).total, 0);
  r = await run('organisations', [p]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported \(GB18030\): 3 rows, 3 organisations/);
  const all = await orgs();
  assert.equal(all.total, 3);
  const hotel = all.items.find((o) => o.name === '悦来宾馆');
  assert.equal(hotel.uscc, CODE_A);
  assert.equal(hotel.type, 'hotel');
  assert.equal(hotel.regulated, true);
  assert.equal(hotel.employees, 12);
  assert.equal(hotel.responsible_name, '周建');
  assert.equal(hotel.responsible_phone, '139****1111', 'lists mask the contact');
  const detail = await chief.get(`/api/v1/organisations/${hotel.id}`);
  assert.equal(detail.json.organisation.responsible_phone, '13900011111', 'the chief sees venue contacts');
  assert.equal(all.items.find((o) => o.name === '鑫鑫小卖部').uscc, CODE_B);
  assert.equal(all.items.find((o) => o.name === '枫溪中心小学').type, 'school');
  assert.equal((await orgs('&group=small')).total, 1);
  assert.equal((await orgs('&group=regulated')).total, 1);
  assert.equal((await orgs('&group=school')).total, 1);
  // Importing again: the registered codes are bad rows.
  r = await run('organisations', [p]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 2: 信用代码: 该统一社会信用代码已登记/);
  assert.match(r.stderr, /line 3: 信用代码: 该统一社会信用代码已登记/);
  // The audit entry of the import.
  const auditor = await loginAs(srv, who(srv, 'auditor'));
  const a = await auditor.get('/api/v1/audit?action=organisation.import');
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.items.length, 1);
});

test('xlsx: organisations from a workbook, errors naming the sheet rows', async () => {
  const head = ['单位名称', '统一社会信用代码', '单位类型', '地址', '负责人', '从业人员数', '备注'];
  // Two empty rows above the header; a note with a line break; a sparse row.
  const bad = writeXlsx([
    head,
    ['星光网吧', CODE_C, '网吧', '枫溪镇桃园路7号', { inline: '郑国强' }, 6, '第一行\n第二行'],
    ['坏代码', badCheck(uscc('91339902MA2HQ4D0A')), '小商店', '枫溪镇桃园路8号', null, 1, null],
    ['无地址', null, '小商店', null, null, null, null],
  ], { startRow: 3 });
  let r = await run('organisations', ['--dry-run', file('bad.xlsx', bad)]);
  assert.equal(r.code, 1, r.stdout);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('line '));
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], /^line 5: 统一社会信用代码: /);
  assert.match(lines[1], /^line 6: 地址: /);
  // A header missing a required column is named by its sheet row.
  r = await run('organisations', ['--dry-run', file('nohead.xlsx', writeXlsx([['单位名称', '单位类型'], ['某店', '小商店']], { startRow: 4 }))]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /第 4 行：表头缺少列 address（地址）/);
  const good = writeXlsx([
    head,
    ['星光网吧', CODE_C, '网吧', '枫溪镇桃园路7号', { inline: '郑国强' }, 6, '第一行\n第二行'],
  ]);
  r = await run('organisations', [file('good.xlsx', good)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported \(xlsx\): 1 rows, 1 organisations/);
  const o = (await orgs(`&q=${encodeURIComponent('星光')}`)).items[0];
  assert.equal(o.uscc, CODE_C);
  assert.equal(o.responsible_name, '郑国强');
  assert.equal(o.employees, 6);
  assert.equal(o.notes, '第一行\n第二行');
});

test('xlsx: people with a date-formatted birth date and houses, all or nothing', async () => {
  const ID_A = idNumber('339902', '1958-03-14', 123);
  const ID_B = idNumber('339902', '1990-07-01', 246);
  const people = [
    ['姓名', '身份证号', '手机号', '住址', '出生日期', '备注'],
    ['欧阳建国', ID_A, 13812345678, '枫溪镇桃园路１２号', { date: '1958-03-14' }, '多行\n备注'],
    ['林小红', ID_B, '', '枫溪镇桃园路12号', { date: '1990-07-02' }, null],
  ];
  let r = await run('people', ['--dry-run', file('people_bad.xlsx', writeXlsx(people))]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /line 3: 出生日期: /, 'the birth date disagrees with the ID number');
  assert.doesNotMatch(r.stderr, /line 2:/);
  people[2][4] = { date: '1990-07-01' };
  r = await run('people', [file('people.xlsx', writeXlsx(people))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported \(xlsx\): 2 rows, 2 people, 1 houses created, 1 matched/);
  const p = await chief.get(`/api/v1/people?q=${encodeURIComponent('欧阳')}`);
  assert.equal(p.json.total, 1);
  assert.equal(p.json.items[0].phone, '138****5678');

  const houses = [
    ['地址', '用途', '房主', '纬度', '经度'],
    ['枫溪镇梅岭村3组5号', '出租', '孙大伟', null, null],
    ['枫溪镇梅岭村3组6号', '仓库', null, null, null],
    ['枫溪镇梅岭村3组7号', 'vacant', null, 29.7, null],
  ];
  r = await run('houses', ['--dry-run', file('houses_bad.xlsx', writeXlsx(houses))]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('line ')).map((l) => l.slice(0, 7)), ['line 3:', 'line 4:']);
  r = await run('houses', [file('houses.xlsx', writeXlsx(houses.slice(0, 2)))]);
  assert.equal(r.code, 0, r.stderr);
  const h = await chief.get(`/api/v1/houses?q=${encodeURIComponent('梅岭村3组5')}`);
  assert.equal(h.json.total, 1);
  assert.equal(h.json.items[0].use, 'rented');
  assert.equal(h.json.items[0].owner_name, '孙大伟');
});

test('xlsx: a file that is not a workbook is refused without writing', async () => {
  const r = await run('organisations', [file('broken.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]))]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /不是有效的 xlsx 文件/);
  const r2 = await run('houses', [file('nosheet.xlsx', (await import('../lib/sheets.mjs')).zip({ 'xl/workbook.xml': '<workbook/>' }))]);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /缺少工作表/);
});
