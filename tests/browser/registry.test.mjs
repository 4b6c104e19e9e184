// The registry pages in the browser (房屋信息, 单位场所): a community officer
// finds a house by part of its address, opens its record, registers a rental
// with a tenant found by name and a residence registration expiring in ten
// days, and sees the tenant masked with the reminder highlighted; registers a
// venue whose credit code has a wrong check character (the error shows on the
// code's field), corrects it and lands on its record; and the 导出 menus
// download the rows of the page's filters as CSV and Excel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { harness, field, TEST_OPTIONS } from './helpers.mjs';
import { idNumber, uscc } from '../lib/idgen.mjs';
import { parseCsv, xlsxRows } from '../lib/sheets.mjs';

const h = harness('fq-registry-');
after(h.teardown);

const GRID_A = '339902100001';
const ADDRESS = '枫溪镇杏花路77号2单元301室';
const TENANT = '测试租客甲';
const TENANT_ID = idNumber('510104', '1994-08-09', 317);
const CODE = uscc('92339902MA7BRW1X0');
const cstDate = (days) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
const today = cstDate(0).replaceAll('-', '');

let house;

before(async () => {
  await h.setup();
  const api = await h.api('community');
  const grid = (await api.get(`/api/v1/units/${GRID_A}`)).json;
  const centroid = grid.unit?.centroid || grid.centroid;
  let r = await api.post('/api/v1/houses', { address: ADDRESS, location: centroid, owner_name: '杏花房东' });
  assert.equal(r.status, 201, r.text);
  house = r.json.house;
  r = await api.post('/api/v1/people', { name: TENANT, id_number: TENANT_ID, phone: '13712345678', categories: ['floating'] });
  assert.equal(r.status, 201, r.text);
});

test('a house found by part of its address gets a rental; the tenant is masked and the reminder shown', TEST_OPTIONS, h.guarded(async (t) => {
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/community/houses');
  await page.locator('[data-test=houses-table] .el-table__body tr').first().waitFor();
  await field(page, 'houses-search').fill('杏花路77');
  await page.locator('[data-test=houses-search-button]').click();
  const row = page.locator(`[data-test=house-row-${house.id}]`);
  await row.waitFor();
  assert.equal(await page.locator('[data-test=houses-table] .el-table__body tr').count(), 1);
  // The keyboard opens the record too.
  await row.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === `/community/houses/${house.id}`);
  await page.locator('[data-test=house-details]').waitFor();
  assert.match(await page.locator('[data-test=house-details]').innerText(), /杏花房东/);
  assert.match(await page.locator('[data-test=house-location]').innerText(), /^\d+\.\d{6}, \d+\.\d{6}$/);
  await page.locator('[data-test=unit-map]').waitFor();
  assert.equal(await page.locator('[data-test=registration-reminder]').count(), 0);

  await page.locator('[data-test=rental-add]').click();
  const dialog = page.locator('[data-test=rental-dialog]');
  await dialog.waitFor();
  await page.locator('[data-test=rental-tenants]').click();
  await field(page, 'rental-tenants').pressSequentially('测试租客');
  const tenants = await h.api('community');
  const tenantId = (await tenants.get(`/api/v1/people?q=${encodeURIComponent(TENANT)}`)).json.items[0].id;
  await page.locator(`[data-test=rental-tenant-${tenantId}]`).click();
  await field(page, 'rental-start').fill(cstDate(-30));
  await field(page, 'rental-registration').fill(cstDate(10));
  await page.locator('[data-test=rental-save]').click();
  await dialog.waitFor({ state: 'hidden' });

  const rental = page.locator('[data-test=rental]').first();
  await rental.waitFor();
  const text = await rental.innerText();
  assert.match(text, new RegExp(TENANT));
  assert.match(text, new RegExp(`510104\\*{8}${TENANT_ID.slice(-4)}`), 'the tenant ID number is masked');
  assert.doesNotMatch(text, new RegExp(TENANT_ID));
  assert.match(text, /137\*{4}5678/);
  assert.equal(await page.locator('[data-test=tenant-registration]').first().innerText(), cstDate(10));
  assert.equal(await page.locator('[data-test=tenant-registration-state]').first().innerText(), '30 天内到期');
  assert.match(await page.locator('[data-test=registration-reminder]').innerText(), /1 名承租人的居住登记/);
  assert.equal(await page.locator('[data-test=house-use]').innerText(), '出租');
  assert.match(await page.locator('[data-test=house-occupants]').innerText(), new RegExp(TENANT));
  await h.shot(t, page, 'house-rental.png');
  assert.deepEqual(problems, []);
  await page.context().close();
}));

test('a venue with a bad credit code shows the error on the field; corrected, it is registered', TEST_OPTIONS, h.guarded(async (t) => {
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/community/organisations');
  await page.locator('[data-test=orgs-table] .el-table__body tr').first().waitFor();
  await page.locator('[data-test=org-create]').click();
  const dialog = page.locator('[data-test=org-dialog]');
  await dialog.waitFor();
  await field(page, 'org-name').fill('杏花网络会所');
  const bad = CODE.slice(0, 17) + (CODE[17] === '0' ? '1' : '0');
  await field(page, 'org-uscc').fill(bad);
  await page.locator('[data-test=org-type]').click();
  await page.locator('[data-test=org-type-internet_cafe]').click();
  await field(page, 'org-address').fill('枫溪镇杏花路80号');
  await field(page, 'org-responsible').fill('钱多多');
  await field(page, 'org-phone').fill('13811112222');
  await page.locator('[data-test=org-save]').click();
  const usccItem = page.locator('.el-form-item', { has: page.locator('[data-test=org-uscc]') });
  await usccItem.locator('.el-form-item__error').waitFor();
  assert.match(await usccItem.locator('.el-form-item__error').innerText(), /校验|代码/);
  assert.equal(await page.locator('.el-form-item__error').count(), 1, 'only the code is in error');
  await h.shot(t, page, 'org-bad-uscc.png');

  await field(page, 'org-uscc').fill(CODE.toLowerCase());
  await page.locator('[data-test=org-save]').click();
  await page.waitForURL((url) => /^\/community\/organisations\/[0-9a-f-]{36}$/.test(url.pathname));
  await page.locator('[data-test=org-details]').waitFor();
  assert.equal(await page.locator('[data-test=org-detail-uscc]').innerText(), CODE);
  assert.match(await page.locator('[data-test=org-details]').innerText(), /网吧[\s\S]*重点行业/);
  // The community officer may see venue contacts.
  assert.equal(await page.locator('[data-test=org-detail-phone]').innerText(), '13811112222');
  await page.locator('[data-test=org-inspections]').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
}));

test('导出 downloads the rows of the current filters as CSV and Excel', TEST_OPTIONS, h.guarded(async () => {
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'community', '/community/organisations');
  await page.locator('[data-test=orgs-table] .el-table__body tr').first().waitFor();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/organisations?') && r.url().includes('group=regulated')),
    page.locator('[data-test=orgs-group-regulated]').click(),
  ]);
  const download = async (menu, item, path) => {
    await page.locator(`[data-test=${menu}] button`).click();
    const [file, request] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForRequest((r) => r.url().includes(path)),
      page.locator(`[data-test=${item}]:visible`).click(),
    ]);
    return { file, url: new URL(request.url()), bytes: await readFile(await file.path()) };
  };
  const csv = await download('orgs-export', 'orgs-export-csv', '/api/v1/organisations/export');
  assert.equal(csv.url.searchParams.get('group'), 'regulated');
  assert.equal(csv.file.suggestedFilename(), `单位场所_${today}.csv`);
  const rows = parseCsv(csv.bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const api = await h.api('community');
  const list = (await api.get('/api/v1/organisations?group=regulated&per_page=200')).json;
  assert.equal(rows.length - 1, list.total);
  assert.ok(rows.some((r) => r[0] === '杏花网络会所' && r[1] === CODE && r[3] === '是'), 'the venue registered above');
  for (const r of rows.slice(1)) assert.equal(r[3], '是');

  await page.goto(`${h.srv.url}/community/houses`);
  await page.locator('[data-test=houses-table] .el-table__body tr').first().waitFor();
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/houses?') && r.url().includes('expiring=1')),
    page.locator('[data-test=houses-expiring]').click(),
  ]);
  const xlsx = await download('houses-export', 'houses-export-xlsx', '/api/v1/houses/export');
  assert.equal(xlsx.url.searchParams.get('expiring'), '1');
  assert.equal(xlsx.file.suggestedFilename(), `房屋信息_${today}.xlsx`);
  const sheet = xlsxRows(xlsx.bytes);
  assert.equal(sheet[0][0], '地址');
  assert.ok(sheet.slice(1).some((r) => r[0] === ADDRESS), 'the house with the expiring registration');
  const expiring = (await api.get('/api/v1/houses?expiring=1&per_page=200')).json;
  assert.equal(sheet.length - 1, expiring.total);
  assert.deepEqual(problems, []);
  await page.context().close();
}));
