// fengqiao import people: the fixed command line, UTF-8 and GB18030,
// Chinese and English headers, mixed full/half-width values, all or
// nothing with "line N: reason" for every bad row, dry runs that write
// nothing, houses created or matched from the address, and the imported
// people visible (masked) through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, fq } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { idNumber } from '../lib/idgen.mjs';
import { who, stopAndCheck } from './helpers.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'fq-import-people-'));
let srv;

before(async () => {
  srv = await startServer({ demo: true, registry: 'none' });
});

after(async () => {
  await stopAndCheck(srv);
  rmSync(tmp, { recursive: true, force: true });
});

const ID_A = idNumber('339902', '1958-03-14', 123);
const ID_B = idNumber('339902', '1990-07-01', 246);
const ID_C = idNumber('339902', '1985-12-12', 111);
/** GB18030 bytes of text (glibc's iconv; TextEncoder only writes UTF-8). */
const toGb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
const fw = (s) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

async function run(args) {
  try {
    const r = await fq(['import', 'people', '--db', srv.db, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function total(q) {
  const chief = await loginAs(srv, who(srv, 'chief'));
  const r = await chief.get(`/api/v1/people?per_page=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('a file with bad rows imports nothing and names every bad row', async () => {
  const rows = [
    '姓名,身份证号,手机号,住址,性别',
    `张三,${ID_A},138-1234-5678,枫溪镇桃园路12号,男`,
    `李四,${ID_B.slice(0, 17)}${ID_B[17] === '0' ? '1' : '0'},13900001111,枫溪镇桃园路12号,女`,
    `王五,${ID_C},12,枫溪镇梅岭村3组5号,男`,
    `赵六,${ID_C},13900002222,,男`,
    `钱七,${ID_A},13900003333,枫溪镇桃园路13号,男`,
  ];
  const file = join(tmp, 'bad.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  for (const dry of [['--dry-run'], []]) {
    const r = await run([...dry, file]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /^line 3: 身份证号: /m);
    assert.match(r.stderr, /^line 4: 手机号: /m);
    assert.match(r.stderr, /^line 5: 住址: /m);
    assert.match(r.stderr, /^line 6: 身份证号: 身份证号与第 2 行重复/m);
    assert.doesNotMatch(r.stderr, /^line 2:/m, 'good rows are not reported');
  }
  assert.equal((await total()).total, 0, 'nothing imported');
  // The same bad file in GB18030 with CRLF line ends reports the same lines.
  const gb = join(tmp, 'bad-gb.csv');
  writeFileSync(gb, toGb18030(rows.join('\r\n') + '\r\n'));
  const r = await run([gb]);
  assert.notEqual(r.code, 0);
  for (const n of [3, 4, 5, 6]) assert.match(r.stderr, new RegExp(`^line ${n}: `, 'm'));
  assert.equal((await total()).total, 0);
});

test('a good file: dry run writes nothing, the import writes all; houses from addresses', async () => {
  const rows = [
    'name,ID_Number,phone,address,categories,hukou',
    `张三,${ID_A},138-1234-5678,枫溪镇桃园路12号,常住人口,浙江省枫溪县`,
    `　李四　,${fw(ID_B)},${fw('13900001111')},${fw('枫溪镇桃园路12号')},流动人口、需关爱人员,四川省绵阳市`,
    `王五,${ID_C},,枫溪镇梅岭村3组5号,,`,
  ];
  const file = join(tmp, 'good.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  let r = await run(['--dry-run', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /dry run, nothing written \(UTF-8\): 3 rows, 3 people, 2 houses created, 1 matched/);
  assert.equal((await total()).total, 0);
  r = await run([file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported \(UTF-8\): 3 rows, 3 people, 2 houses created, 1 matched/);
  const all = await total();
  assert.equal(all.total, 3);
  const li = all.items.find((p) => p.name === '李四');
  assert.ok(li, 'the name is trimmed of ideographic spaces');
  assert.equal(li.id_number, `339902********${ID_B.slice(-4)}`);
  assert.equal(li.phone, '139****1111');
  assert.deepEqual(li.categories.sort(), ['floating', 'needs_care']);
  const zhang = all.items.find((p) => p.name === '张三');
  assert.equal(zhang.house_id, li.house_id, 'full-width address matched the same house');
  // Importing again: every row's ID number is already registered.
  r = await run([file]);
  assert.notEqual(r.code, 0);
  assert.equal((r.stderr.match(/^line \d+: .*已登记/gm) || []).length, 3);
  assert.equal((await total()).total, 3);
});

test('GB18030 files are read; a missing column is refused', async () => {
  const id = idNumber('339902', '1970-01-01', 351);
  const text = `姓名,身份证号,手机号,住址\r\n孙八,${id},13700001111,枫溪镇东风路1号\r\n`;
  const gb = toGb18030(text);
  const file = join(tmp, 'gb.csv');
  writeFileSync(file, gb);
  let r = await run([file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(GB18030\): 1 rows, 1 people/);
  assert.equal((await total('孙八')).total, 1);
  writeFileSync(file, '姓名,手机号,住址\n周九,13700002222,某地\n');
  r = await run([file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /缺少列 id_number（身份证号）/);
});

test('fengqiao import houses: placed by coordinates, all or nothing, duplicates refused', async () => {
  const bad = join(tmp, 'houses-bad.csv');
  writeFileSync(bad, ['地址,纬度,经度,用途,房主', '枫溪镇青石路1号,29.75,120.25,出租,张三', '枫溪镇青石路2号,29.7,,,', '枫溪镇青石路3号,,,castle,', '枫溪镇青石路１号,,,,'].join('\n') + '\n');
  let r = await fq(['import', 'houses', '--db', srv.db, bad]).catch((e) => e);
  assert.notEqual(r.code ?? 0, 0);
  assert.match(r.stderr, /^line 3: location: /m);
  assert.match(r.stderr, /^line 4: 用途: /m);
  assert.match(r.stderr, /^line 5: 地址: 地址与第 2 行重复/m);
  const good = join(tmp, 'houses.csv');
  writeFileSync(good, ['address,lat,lon,use,owner_name', '枫溪镇青石路1号,29.75,120.25,rented,张三', '枫溪镇青石路2号,,,vacant,'].join('\n') + '\n');
  r = await fq(['import', 'houses', '--db', srv.db, '--dry-run', good]);
  assert.match(r.stdout, /dry run, nothing written \(UTF-8\): 2 rows, 2 houses/);
  r = await fq(['import', 'houses', '--db', srv.db, good]);
  assert.match(r.stdout, /^imported \(UTF-8\): 2 rows, 2 houses/);
  const chief = await loginAs(srv, who(srv, 'chief'));
  const list = (await chief.get(`/api/v1/houses?q=${encodeURIComponent('青石路')}`)).json.items;
  assert.equal(list.length, 2);
  const placed = list.find((h) => h.address === '枫溪镇青石路1号');
  assert.ok(placed.grid, 'the house with coordinates is in a grid');
  assert.equal(placed.use, 'rented');
  assert.equal(list.find((h) => h.address === '枫溪镇青石路2号').grid, null);
  r = await fq(['import', 'houses', '--db', srv.db, good]).catch((e) => e);
  assert.notEqual(r.code ?? 0, 0);
  assert.match(r.stderr, /^line 2: address: 该地址的房屋已登记/m, "the column is named as the file names it");
  assert.equal((await chief.get(`/api/v1/houses?q=${encodeURIComponent('青石路')}`)).json.total, 2);
});
