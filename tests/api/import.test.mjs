// `fengqiao import alerts`: CSV in UTF-8 and GB18030 (Chinese headers), every bad row reported
// with its line and nothing imported, rows taken in time order whatever the file's order, exact
// summary counts, dry run, audit entries, and the Montgomery mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, fq, createDemo } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, stopAndCheck } from './helpers.mjs';

const STATION = '339902510000';
const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/;
const HEADER = 'received_at,caller_phone,lat,lon,address,category,description,caller_name,source,unit,event_id';

let srv, operator, auditor, tmp;

// Each test uses its own day, two to twenty days ago, so their alerts never meet.
function day(daysAgo) {
  const d = new Date(Date.now() - daysAgo * 86400e3);
  d.setUTCHours(2, 0, 0, 0); // 10:00 in China Standard Time
  return (min) => new Date(d.getTime() + min * 60e3).toISOString();
}

/** The same instant as "YYYY-MM-DD HH:MM:SS" in China Standard Time, without an offset. */
function cst(iso) {
  return new Date(Date.parse(iso) + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19);
}

function csv(rows) {
  const quote = (v) => (v === undefined || v === null ? '' : /[",\n\r]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  return rows.map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

function file(name, content) {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** Run the import; resolves { code, stdout, stderr } whether it succeeds or not. */
async function runImport(db, path, ...args) {
  try {
    const r = await fq(['import', 'alerts', '--db', db, path, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    if (e.code === undefined) throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The summary lines as numbers: { alerts, incidents, merged, suggested, new, ... }. */
function summary(stdout) {
  const n = (re) => Number((re.exec(stdout) || [])[1]);
  return {
    alerts: n(/^alerts: (\d+)$/m),
    incidents: n(/^incidents: (\d+)$/m),
    merged: n(/^decisions: merged (\d+)/m),
    suggested: n(/suggested (\d+), new/m),
    new: n(/, new (\d+)$/m),
    kind_repeat_caller: n(/^kinds: repeat_caller (\d+)/m),
    kind_same_event: n(/^kinds: repeat_caller \d+, same_event (\d+)/m),
    merged_repeat_caller: n(/\(merged: repeat_caller (\d+)/m),
    merged_same_event: n(/\(merged: repeat_caller \d+, same_event (\d+)\)/m),
    flag_repeat_caller: n(/^flags: repeat_caller (\d+)/m),
    flag_repeat_place: n(/repeat_place (\d+), directives/m),
    directives: n(/directives proposed (\d+)$/m),
  };
}

/** Incidents of the station whose first report falls in [from, to]. */
async function incidents(from, to) {
  const r = await operator.get(`/api/v1/incidents?per_page=200&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer({ demo: true });
  operator = await loginAs(srv, who(srv, 'operator'));
  auditor = await loginAs(srv, who(srv, 'auditor'));
  tmp = mkdtempSync(join(tmpdir(), 'fq-import-'));
});

after(async () => {
  await stopAndCheck(srv);
  rmSync(tmp, { recursive: true, force: true });
});

test('a UTF-8 file: exact summary, alerts and incidents as the API shows them, one audit entry per batch', async () => {
  const at = day(2);
  const P = { lat: 29.75, lon: 120.25 };
  // Rows deliberately not in time order.
  const rows = [
    // 4: theft far away, a new incident
    [at(20), '13700002222', 29.70, 120.20, '枫溪镇建设路8号', 'criminal.theft', '电动车被偷了', '', 'phone_110', STATION, 'T'],
    // 1: the fight
    [at(0), '+86 138-1234-5678', P.lat, P.lon, '枫溪镇人民路12号', 'public_order.fight', '人民路酒吧門口有人打架，三四個人', '张三', 'phone_110', STATION, 'F'],
    // 3: the same caller again: repeat_caller, merged
    [at(15), '138 1234 5678', 29.7501, 120.2501, '', 'public_order.fight', '又打起来了，快来人', '', 'phone_110', STATION, 'F'],
    // 2: another caller 50 m and 6 minutes later: same_event, merged
    [at(6), '13900001111', 29.7504, 120.2503, '人民路酒吧', 'public_order.provocation', '酒吧门口一群人打架斗殴', '李四', 'app', STATION, 'F'],
    // 5: a medical call at the fight in other words: suggested (same_event), a new incident
    //    at a place with an earlier occasion (repeat_place)
    [at(16), '13600003333', 29.7502, 120.2502, '', 'help.medical', '有人受伤倒地需要救护车', '', 'phone_110', STATION, 'M'],
    // 6: the first caller about a theft elsewhere: flagged repeat_caller, new incident
    [at(40), '0086 13812345678', 29.72, 120.22, '枫溪镇解放路3号', 'criminal.theft', '钱包被偷了', '', 'walk_in', STATION, 'W'],
  ];
  const before = (await incidents(at(-1), at(60))).total;
  const r = await runImport(srv.db, file('good.csv', csv([HEADER.split(','), ...rows])), '--batch', '4');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, SANITIZER_RE);
  assert.match(r.stdout, /^imported 6 rows \(UTF-8\)/m);
  assert.deepEqual(summary(r.stdout), {
    alerts: 6, incidents: 4, merged: 2, suggested: 1, new: 3,
    kind_repeat_caller: 1, kind_same_event: 2, merged_repeat_caller: 1, merged_same_event: 1,
    flag_repeat_caller: 2, flag_repeat_place: 1, directives: 0,
  });
  assert.match(r.stdout, /^batches: 2$/m);

  const list = await incidents(at(-1), at(60));
  assert.equal(list.total, before + 4);
  const fight = list.items.find((i) => i.category === 'public_order.fight');
  assert.ok(fight, JSON.stringify(list.items));
  assert.equal(fight.alert_count, 3);
  const detail = await operator.get(`/api/v1/incidents/${fight.id}`);
  assert.equal(detail.status, 200, detail.text);
  const alerts = detail.json.incident.alerts;
  assert.equal(alerts.length, 3);
  const one = await operator.get(`/api/v1/alerts/${alerts[0].id}`);
  assert.equal(one.json.alert.description, '人民路酒吧門口有人打架，三四個人', 'kept as written');
  assert.equal(one.json.alert.caller_phone, '+86 138-1234-5678');
  assert.deepEqual(one.json.alert.extra, { event_id: 'F' }, 'other columns kept in extra');
  assert.match(one.json.alert.grid, /^339902100\d{3}$/);

  const audit = await auditor.get('/api/v1/audit?action=alert.import&per_page=50');
  assert.equal(audit.status, 200, audit.text);
  const mine = audit.json.items.filter((e) => e.detail && e.detail.file === 'good.csv');
  assert.deepEqual(mine.map((e) => e.detail.count).sort(), [2, 4]);
  for (const e of mine) assert.match(e.username, /^cli:/);
});

test('a GB18030 file with Chinese headers and labels is read as such', async () => {
  const at = day(4);
  const text = csv([
    ['接警时间', '报警电话', '纬度', '经度', '地址', '类别', '警情描述', '报警人', '来源', '派出所', '备注'],
    [cst(at(0)), '13511112222', 29.74, 120.24, '枫溪镇文化路5号', '打架斗殴', '文化路有人打架，三个人', '王五', '110 转警', STATION, '夜班'],
    [at(3), '13522223333', 29.7401, 120.2401, '枫溪镇文化路5号', '打架斗殴', '文化路門口三個人打架', '', '网络/微信报警', STATION, ''],
  ]);
  const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  assert.ok(gb.includes(Buffer.from([0xb4, 0xf2, 0xbc, 0xdc])), '打架 in GB18030');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(gb), 'not UTF-8');
  const r = await runImport(srv.db, file('gb.csv', gb));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported 2 rows \(GB18030\)/m);
  assert.deepEqual([summary(r.stdout).alerts, summary(r.stdout).incidents, summary(r.stdout).merged], [2, 1, 1]);
  // "YYYY-MM-DD HH:MM:SS" without an offset is China Standard Time.
  const list = await incidents(at(-1), at(10));
  assert.equal(list.total, 1);
  const inc = await operator.get(`/api/v1/incidents/${list.items[0].id}`);
  const alerts = inc.json.incident.alerts;
  assert.equal(alerts.length, 2);
  const first = (await operator.get(`/api/v1/alerts/${alerts[0].id}`)).json.alert;
  assert.equal(first.description, '文化路有人打架，三个人');
  assert.equal(first.category, 'public_order.fight');
  assert.equal(first.source, 'phone_110');
  assert.equal(first.caller_name, '王五');
  assert.deepEqual(first.extra, { 备注: '夜班' });
  assert.equal(Date.parse(first.received_at), Date.parse(at(0)));
  const second = (await operator.get(`/api/v1/alerts/${alerts[1].id}`)).json.alert;
  assert.equal(second.source, 'app');
  assert.equal(second.extra, null, 'empty extra columns are left out');
});

test('bad rows: every one reported with its line, exit 1, nothing imported', async () => {
  const at = day(6);
  const text = [
    HEADER,
    // line 2-3: a good row with a quoted line break in its description
    `${at(0)},13511112222,29.74,120.24,枫溪镇文化路5号,public_order.noise,"楼上太吵了\n一直在装修",,phone_110,${STATION},A`,
    // line 4: unknown category
    `${at(1)},13511113333,29.74,120.24,枫溪镇文化路5号,public_order.duel,决斗,,phone_110,${STATION},B`,
    // line 5: good
    `${at(2)},13511114444,29.74,120.24,枫溪镇文化路5号,public_order.noise,太吵了,,phone_110,${STATION},C`,
    // line 6: latitude out of range
    `${at(3)},13511115555,91,120.24,枫溪镇文化路5号,public_order.noise,太吵了,,phone_110,${STATION},D`,
    '',
  ].join('\n');
  const before = (await incidents(at(-10), at(10))).total;
  const r = await runImport(srv.db, file('bad.csv', text));
  assert.equal(r.code, 1, r.stdout);
  assert.doesNotMatch(r.stderr, SANITIZER_RE);
  const lines = r.stderr.split('\n').filter((l) => /^line \d+:/.test(l));
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], /^line 4: category: 未知的警情类别：public_order\.duel/);
  assert.match(lines[1], /^line 6: location\.lat: /);
  assert.match(r.stderr, /2 行数据有错误（共 4 行）：未导入任何数据/);
  assert.equal(r.stdout, '');
  assert.equal((await incidents(at(-10), at(10))).total, before, 'nothing imported');

  // The same messages as the API gives for the same values.
  const api = await operator.post('/api/v1/alerts', {
    received_at: at(1), source: 'phone_110', caller_phone: '13511113333', location: { lat: 29.74, lon: 120.24 },
    category: 'public_order.duel', description: '决斗',
  });
  assert.equal(api.status, 400);
  assert.equal(`${api.json.error.field}: ${api.json.error.message}`, lines[0].replace(/^line 4: /, ''));

  // Broken CSV, missing columns, several stations without --unit.
  let bad = await runImport(srv.db, file('quote.csv', `${HEADER}\n${at(0)},1,2,"unterminated\n`));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^line 2: row: CSV 格式错误/m);
  bad = await runImport(srv.db, file('cols.csv', 'received_at,lat,lon\n'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /表头缺少列 caller_phone/);
  bad = await runImport(srv.db, file('nounit.csv', csv([HEADER.split(',').slice(0, 7), [at(0), '', 29.74, 120.24, '', 'public_order.noise', '吵']])));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^line 2: unit: 库中有 4 个派出所/m);
  bad = await runImport(srv.db, file('nounit.csv', 'x'), '--unit', '339902');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--unit 339902 不是派出所/);
  bad = await runImport(srv.db, join(tmp, 'missing.csv'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /无法打开/);
  bad = await runImport(srv.db, file('latin1.csv', Buffer.from([0x61, 0x0a, 0xff, 0xff, 0x0a])));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /第 2 行：文件既不是 UTF-8 也不是 GB18030 编码/);
  const usage = await runImport(srv.db, 'x.csv', '--bogus');
  assert.equal(usage.code, 2);
});

test('rows are merged in time order whatever their order in the file, with the same decisions', async () => {
  const at = day(8);
  const reports = [
    [at(0), '13311110001', 29.76, 120.26, '枫溪镇中山路1号', 'traffic.accident', '中山路口小车和电动车撞了，有人受伤', '', 'phone_110', STATION, 'E1'],
    [at(3), '13311110002', 29.7602, 120.2601, '枫溪镇中山路1号', 'traffic.accident', '中山路口电动车和小车撞了', '', 'phone_110', STATION, 'E1'],
    [at(7), '13311110003', 29.7601, 120.2603, '', 'traffic.accident', '中山路小车撞了电动车，人受伤了', '', 'app', STATION, 'E1'],
    [at(9), '13311110001', 29.7601, 120.2601, '', 'traffic.accident', '车祸的人还躺在地上，快来', '', 'phone_110', STATION, 'E1'],
  ];
  const results = [];
  for (const [name, order] of [['sorted', [0, 1, 2, 3]], ['reversed', [3, 2, 1, 0]], ['shuffled', [2, 0, 3, 1]]]) {
    const dir = mkdtempSync(join(tmp, `order-${name}-`));
    const db = join(dir, 'o.db');
    await createDemo(db);
    const decisions = join(dir, 'decisions.tsv');
    const r = await runImport(db, file(`${name}.csv`, csv([HEADER.split(','), ...order.map((i) => reports[i])])), '--decisions-out', decisions);
    assert.equal(r.code, 0, r.stderr);
    const rows = readFileSync(decisions, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    // In time order: the earliest opens the incident, the rest join it.
    assert.deepEqual(rows.map((f) => f[2]), [...rows.map((f) => f[2])].sort());
    assert.deepEqual(rows.map((f) => f[5]), ['new', 'merged', 'merged', 'merged'], name);
    assert.equal(new Set(rows.map((f) => f[4])).size, 1, 'one incident');
    results.push({ summary: summary(r.stdout), decisions: rows.map((f) => [f[2], f[5], f[6]]) });
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  assert.equal(results[0].summary.merged_repeat_caller, 1);
  assert.equal(results[0].summary.merged_same_event, 2);
});

test('--dry-run checks and matches everything and writes nothing', async () => {
  const at = day(10);
  const text = csv([HEADER.split(','),
    [at(0), '13411110001', 29.73, 120.23, '枫溪镇和平路2号', 'public_order.noise', '楼上装修太吵了', '', 'phone_110', STATION, 'N'],
    [at(5), '13411110002', 29.7301, 120.2301, '枫溪镇和平路2号', 'public_order.noise', '楼上装修太吵', '', 'phone_110', STATION, 'N'],
  ]);
  const r = await runImport(srv.db, file('dry.csv', text), '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^dry run, nothing written: 2 rows/m);
  assert.deepEqual([summary(r.stdout).alerts, summary(r.stdout).incidents, summary(r.stdout).merged], [2, 1, 1]);
  assert.equal((await incidents(at(-1), at(10))).total, 0);
});

test('--montco reads the Montgomery County 911 feed: category from the title, New York time', async () => {
  const feed = [
    'lat,lon,title,received_at,township,address',
    '40.1224422,-75.3383233,Traffic: VEHICLE ACCIDENT -,2016-01-15 12:01,NORRISTOWN,POWELL ST & E SPRUCE ST',
    '40.1224422,-75.3383233,EMS: VEHICLE ACCIDENT,2016-01-15 12:03,NORRISTOWN,POWELL ST & E SPRUCE ST',
    '40.0194893,-75.3193691,EMS: FALL VICTIM,2016-07-15 12:06,LOWER MERION,BRYN MAWR AVE & OLD LANCASTER RD',
  ].join('\n');
  const dir = mkdtempSync(join(tmp, 'montco-'));
  const db = join(dir, 'm.db');
  await createDemo(db);
  const decisions = join(dir, 'd.tsv');
  const r = await runImport(db, file('montco.csv', feed), '--montco', '--unit', STATION, '--decisions-out', decisions);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([summary(r.stdout).alerts, summary(r.stdout).incidents, summary(r.stdout).merged_same_event], [3, 2, 1]);
  const rows = readFileSync(decisions, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  // 12:01 EST is 17:01 UTC; 12:06 EDT in July is 16:06 UTC.
  assert.equal(Date.parse(rows[0][2]), Date.parse('2016-01-15T17:01:00Z'));
  assert.equal(Date.parse(rows[2][2]), Date.parse('2016-07-15T16:06:00Z'));
  assert.deepEqual(rows.map((f) => f[3]), ['traffic.accident', 'traffic.accident', 'help.medical']);
  assert.deepEqual(JSON.parse(rows[1][11]), { title: 'EMS: VEHICLE ACCIDENT', township: 'NORRISTOWN' });
});
