// Browser test of the 导出 menu of 警情列表 (IncidentsView.vue): the
// download carries the page's current filters (here the state 已接警), is
// named 警情_YYYYMMDD.csv / .xlsx, and holds the rows of the list for those
// filters. Driven through Debian's Chromium with playwright-core against the
// real server with demo data. Run: cd tests && node --test browser/export.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';

const CHROMIUM = process.env.FQ_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT_MS = 15000;

let srv;
let browser;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  // Four incidents of our own, one of them dispatched: the filter 已接警 keeps three.
  const op = await loginAs(srv, srv.logins.find((l) => l.username === 'operator'));
  const places = ['枫溪镇海港路1号', '枫溪镇海港路2号', '枫溪镇山前村5组', '枫溪镇文化广场'];
  for (let i = 0; i < places.length; i++) {
    const r = await op.post('/api/v1/alerts', {
      received_at: new Date(Date.now() - (i + 1) * 3600e3).toISOString(), source: 'phone_110',
      caller_name: '报警人', caller_phone: `1390000000${i}`, address: places[i],
      location: { lat: 30.4 + i * 0.05, lon: 121.3 + i * 0.05 },
      category: ['help.locked_out', 'dispute.neighbour', 'criminal.theft', 'help.other'][i], description: `测试警情 ${i}`,
    });
    assert.equal(r.status, 201, r.text);
    if (i === 3) {
      const d = await op.post(`/api/v1/incidents/${r.json.incident.id}/transition`, { state: 'dispatched' });
      assert.equal(d.status, 200, d.text);
    }
  }
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await (srv.cleanup ? srv.cleanup() : srv.stop());
});

function field(page, name) {
  return page.locator(`[data-test=${name}] input, input[data-test=${name}]`).first();
}

test('导出 → CSV and Excel download the incidents of the current filters', { timeout: 120000 }, async () => {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const { password } = srv.logins.find((l) => l.username === 'operator');
  await page.goto(`${srv.url}/login?redirect=${encodeURIComponent('/command/incidents')}`);
  await field(page, 'login-username').fill('operator');
  await field(page, 'login-password').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((url) => url.pathname === '/command/incidents');
  await page.locator('[data-test=incidents-table] .el-table__body tr').first().waitFor();

  // Filter on 已接警 through the state select.
  await page.locator('[data-test=incidents-state]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '已接警' }).first().click();
  const list = await page.request.get(`${srv.url}/api/v1/incidents?state=received&per_page=1`);
  const total = (await list.json()).total;
  assert.equal(total, 3);

  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10).replaceAll('-', '');
  const exportTo = async (item) => {
    await page.locator('[data-test=incidents-export] button').click();
    const [download, request] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForRequest((r) => r.url().includes('/api/v1/incidents/export')),
      page.locator(`[data-test=${item}]:visible`).click(),
    ]);
    return { download, url: new URL(request.url()) };
  };

  const csv = await exportTo('incidents-export-csv');
  assert.equal(csv.url.searchParams.get('format'), 'csv');
  assert.equal(csv.url.searchParams.get('state'), 'received');
  assert.equal(csv.download.suggestedFilename(), `警情_${today}.csv`);
  const text = (await readFile(await csv.download.path())).toString('utf8');
  assert.ok(text.startsWith('\uFEFF编号,接警时间,'), text.slice(0, 40));
  const lines = text.trimEnd().split('\r\n');
  // Demo addresses and descriptions hold no line breaks: one line per row.
  assert.equal(lines.length - 1, total);
  const stateCol = lines[0].replace('\uFEFF', '').split(',').indexOf('状态');
  for (const line of lines.slice(1, 50)) assert.equal(line.split(',')[stateCol], '已接警', line);

  const xlsx = await exportTo('incidents-export-xlsx');
  assert.equal(xlsx.url.searchParams.get('format'), 'xlsx');
  assert.equal(xlsx.url.searchParams.get('state'), 'received');
  assert.equal(xlsx.download.suggestedFilename(), `警情_${today}.xlsx`);
  const bytes = await readFile(await xlsx.download.path());
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  assert.deepEqual(problems, []);
  await context.close();
});
