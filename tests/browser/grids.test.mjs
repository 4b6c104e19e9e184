// 网格管理 in the browser: the chief sees the station's grids on the map
// (coloured by a chosen measure) and in the list, sorts it, sees the police
// posts, opens a grid from the keyboard, reads its tabs (people masked),
// pages through its people, and sets its staff (a refused phone is shown,
// then saved). A grid worker sees only their grid, without the command
// room's tabs and without the staff editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { harness, field, TEST_OPTIONS } from './helpers.mjs';

const h = harness('fq-grids-');
before(h.setup);
after(h.teardown);

const GRID = '339902100001';
const ID_MASK = /^\d{6}\*{8}\d{3}[\dX]$/;

test('the chief: map, sortable list, posts, the grid page and its staff', TEST_OPTIONS, h.guarded(async (t) => {
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'chief', '/community/grids');
  const rows = page.locator('[data-test=grid-table] .el-table__body tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=grid-table] .el-table__body tr').length === 40);
  assert.equal(await page.locator('[data-test=grid-total]').innerText(), '共 40 个网格');
  // 40 polygons on the map, filled by the measure; the legend names it.
  await page.waitForFunction(() => document.querySelectorAll('[data-test=grid-map] path.leaflet-interactive').length >= 40);
  assert.match(await page.locator('[data-test=grid-map-legend]').innerText(), /人口/);
  const fills = await page.locator('[data-test=grid-map] path.leaflet-interactive').evaluateAll((ps) => new Set(ps.map((p) => p.getAttribute('fill'))).size);
  assert.ok(fills >= 3, `grids are coloured by people on several steps (${fills})`);
  await page.locator('[data-test=grid-measure]').click();
  await page.locator('.el-select-dropdown__item', { hasText: '未结纠纷' }).click();
  await page.waitForFunction(() => /未结纠纷/.test(document.querySelector('[data-test=grid-map-legend]')?.innerText || ''));
  await h.shot(t, page, 'grids-map.png');

  // Sorting by people, descending (two clicks on the header).
  const header = page.locator('[data-test=grid-table] th', { hasText: '人口' });
  await header.click();
  await header.click();
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('[data-test=grid-table] .el-table__body tr')].map((tr) => Number(tr.children[4].innerText));
    return cells.length === 40 && cells.every((v, i) => i === 0 || cells[i - 1] >= v) && cells[0] > cells[39];
  });
  // Posts: five, with their grids.
  assert.equal(await page.locator('[data-test=post]').count(), 5);

  // The filter, then open the grid from the keyboard.
  await field(page, 'grid-filter').fill(GRID);
  await page.waitForFunction(() => document.querySelectorAll('[data-test=grid-table] .el-table__body tr').length === 1);
  assert.equal(await rows.count(), 1);
  await page.locator('[data-test=grid-link]').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === `/community/grids/${GRID}`);
  await page.locator('[data-test=staff-officer]').waitFor();
  assert.match(await page.locator('[data-test=staff-officer]').innerText(), /王志强/);
  assert.match(await page.locator('[data-test=grid-post]').innerText(), /警务室/);

  // Tabs as the chief's rights allow; people masked; counts agree with the API.
  const api = await h.api('chief');
  const g = (await api.get(`/api/v1/grids/${GRID}`)).json;
  const tabs = await page.locator('[data-test=grid-tabs] .el-tabs__item').allInnerTexts();
  assert.deepEqual(tabs.map((x) => x.replace(/（.*/, '')), ['人口', '房屋', '单位场所', '治理指令', '矛盾纠纷', '近期警情', '责任人']);
  assert.ok(tabs[0].includes(`（${g.people.total}）`));
  const ids = await page.locator('[data-test=grid-tab-people] [data-test=person-id]').allInnerTexts();
  assert.equal(ids.length, 20);
  for (const id of ids) assert.match(id, ID_MASK);
  assert.equal(ids[0], g.people.items[0].id_number);
  // Page 2 of the people.
  await page.locator('[data-test=grid-tabs] .el-pager li', { hasText: /^2$/ }).first().click();
  const p2 = (await api.get(`/api/v1/people?unit=${GRID}&sort=name&page=2`)).json.items[0].id_number;
  await page.waitForFunction((want) => document.querySelector('[data-test=grid-tab-people] [data-test=person-id]')?.innerText === want, p2);
  // The disputes tab.
  await page.locator('[data-test=grid-tabs] .el-tabs__item', { hasText: '矛盾纠纷' }).click();
  await page.locator('[data-test=grid-tab-disputes]').waitFor();
  assert.equal(await page.locator('[data-test=grid-tab-disputes] .el-table__body tr').count(), Math.min(20, g.disputes.total));
  await h.shot(t, page, 'grid-page.png');
  // The staff tab lists the grid's 1+X+N and its post's staff.
  await page.locator('[data-test=grid-tabs] .el-tabs__item', { hasText: '责任人' }).click();
  const staffText = await page.locator('[data-test=grid-tab-staff]').innerText();
  assert.match(staffText, /社区民警\s+王志强/);
  assert.match(staffText, /网格员\s+刘芳/);
  assert.match(staffText, /警务室民警/);

  // Setting the staff: add a grid worker with a bad phone, see the refusal, fix it, save.
  await page.locator('[data-test=grid-staff-edit]').click();
  await page.locator('[data-test=grid-staff-dialog]').waitFor();
  const before = (await page.locator('[data-test=edit-grid_workers]').count());
  await page.locator('[data-test=edit-add-grid_workers]').click();
  await field(page, `edit-grid_workers-name-${before}`).fill('韩梅梅');
  await field(page, `edit-grid_workers-phone-${before}`).fill('12345x');
  await page.locator('[data-test=grid-staff-save]').click();
  await page.locator('[data-test=grid-staff-error]').waitFor();
  assert.match(await page.locator('[data-test=grid-staff-error]').innerText(), new RegExp(`grid_workers\\[${before}\\]\\.phone`));
  await field(page, `edit-grid_workers-phone-${before}`).fill('138 0000 1234');
  await page.locator('[data-test=grid-staff-save]').click();
  await page.locator('[data-test=grid-staff-dialog]').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=staff-grid_workers]')].some((e) => e.innerText.includes('韩梅梅')));
  const after = (await api.get(`/api/v1/grids/${GRID}`)).json.grid.staff;
  assert.ok(after.grid_workers.some((m) => m.name === '韩梅梅' && m.phone === '13800001234'));
  assert.equal(after.officer.name, '王志强', 'the officer is kept');
  assert.equal(after.version, g.grid.staff.version + 1);
  assert.deepEqual(problems, []);
}));

test('a grid worker sees their own grid only, without the command room’s tabs or the editor', TEST_OPTIONS, h.guarded(async (t) => {
  const { page, problems } = await h.openPage();
  await h.signIn(page, 'gridworker', '/community/grids');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=grid-table] .el-table__body tr').length === 1);
  assert.equal(await page.locator('[data-test=grid-total]').innerText(), '共 1 个网格');
  await page.locator('[data-test=grid-table] .el-table__body tr').first().click();
  await page.waitForURL((url) => url.pathname === `/community/grids/${GRID}`);
  await page.locator('[data-test=grid-tabs]').waitFor();
  const tabs = await page.locator('[data-test=grid-tabs] .el-tabs__item').allInnerTexts();
  assert.deepEqual(tabs.map((x) => x.replace(/（.*/, '')), ['人口', '房屋', '单位场所', '矛盾纠纷', '责任人']);
  assert.equal(await page.locator('[data-test=grid-staff-edit]').count(), 0);
  // Staff phones are masked for the grid worker.
  const phones = await page.locator('[data-test=staff-grid_workers] .fq-mono').allInnerTexts();
  assert.ok(phones.some((p) => /^1\d{2}\*{4}\d{4}$/.test(p)), `masked: ${phones}`);
  // Another grid answers as missing.
  await page.goto(`${h.srv.url}/community/grids/339902100002`);
  await page.locator('[data-test=grid-missing]').waitFor();
  assert.match(await page.locator('[data-test=grid-missing]').innerText(), /不存在或不在您的辖区/);
  await h.shot(t, page, 'grid-worker.png');
  assert.deepEqual(problems.filter((p) => !/404|Not Found/i.test(p)), []);
}));
