// Quarter status in a real browser (as of 2026-11-25, inside 2026-Q4):
// closing a quarter that has not ended is refused and one with open
// matters lists them and needs a confirmation (keeping what was typed);
// the period table lists every quarter of the books; a report uploaded
// for the running quarter says it is not final and queues no statement
// notice; a report not yet due is not shown as missing, and "paid" with a
// missing report is flagged in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoDatabase, startServer, cli, launchChromium } from './lib.mjs';

let demo, srv, browser;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function signIn(role, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('E-mail').fill(demo.users[role].email);
  await page.getByLabel('Password').fill(demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const periodState = async (page, q) => (await page.locator(`#periods tr[data-quarter="${q}"]`).getAttribute('data-state'));

test('the period table lists every quarter of the books with its state', async () => {
  const page = await signIn('finance');
  await page.goto(`${srv.url}/reconciliation`);
  const quarters = await page.locator('#periods tr[data-quarter]').evaluateAll((rows) => rows.map((r) => r.dataset.quarter));
  assert.equal(quarters[0], '2026-Q4', 'today\'s quarter first');
  assert.ok(quarters.includes('2025-Q3') && quarters.includes('2026-Q3'), quarters.join(' '));
  assert.equal(await periodState(page, '2026-Q4'), 'open, not ended');
  assert.equal(await periodState(page, '2026-Q3'), 'open');
  await page.context().close();
});

test('closing the running quarter is refused, naming its last day', async () => {
  const page = await signIn('finance');
  await page.goto(`${srv.url}/reconciliation`);
  await page.fill('#period input[name=quarter]', '2026-Q4');
  await page.click('#period button[value=close]');
  await page.waitForLoadState('load');
  const body = await text(page.locator('main'));
  assert.match(body, /quarter 2026-Q4 has not ended: it can be closed after its last day, 2026-12-31/);
  assert.equal(await periodState(page, '2026-Q4'), 'open, not ended');
  await page.context().close();
});

test('a quarter with open matters lists them and closes only when confirmed', async () => {
  const page = await signIn('finance');
  await page.goto(`${srv.url}/reconciliation`);
  await page.fill('#period input[name=quarter]', '2026-Q3');
  await page.click('#period button[value=close]');
  await page.waitForLoadState('load');
  const list = await page.locator('#close-blockers li').evaluateAll((li) => li.map((x) => x.textContent.trim()));
  assert.ok(list.includes('KS-OFFC-2025: the 2026-Q3 sales report is missing'), list.join(' | '));
  assert.ok(list.some((x) => /^KS-FURN-2025: \$[\d,]+\.\d\d of the 2026-Q3 fee is unpaid$/.test(x)), list.join(' | '));
  assert.ok(list.some((x) => /^KS-FURN-2025: \d+ lines overcharged in 2026-Q3/.test(x)), list.join(' | '));
  assert.equal(await page.inputValue('#period input[name=quarter]'), '2026-Q3', 'the quarter typed is kept');
  assert.equal(await periodState(page, '2026-Q3'), 'open', 'nothing closed yet');
  await page.getByLabel('Close 2026-Q3 anyway', { exact: false }).check();
  await page.click('#period button[value=close]');
  await page.waitForLoadState('load');
  assert.match(await text(page.locator('main')), /Quarter 2026-Q3 is closed\./);
  assert.equal(await periodState(page, '2026-Q3'), 'closed');
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= 1280, `no sideways scroll (${sw})`);
  await page.context().close();
});

test('a report for the running quarter is not final and queues no statement notice', async () => {
  const page = await signIn('admin');
  await page.goto(`${srv.url}/imports`);
  await page.selectOption('#upload select[name=contract]', 'KS-FURN-2025');
  await page.fill('#upload input[name=period]', '2026-Q4');
  await page.setInputFiles('#upload input[name=file]', { name: 'q4.csv', mimeType: 'text/csv',
    buffer: Buffer.from('agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n'
      + 'USD259,PO-Q4-1,INV-Q4-1,2026-10-15,1000.00,400.00\n') });
  await page.click('#upload button[value=check]');
  await page.waitForLoadState('load');
  assert.match(await text(page.locator('#not-ended')),
    /2026-Q4 has not ended: this report will be final only after 2026-12-31/);
  await page.click('button[value=import]');
  await page.waitForLoadState('load');
  assert.match(await text(page.locator('#outcome')), /Imported as batch/);
  cli(demo.db, 'notices', 'queue');
  const notices = JSON.parse(cli(demo.db, 'notices', 'list', '--json'));
  const rows = Array.isArray(notices) ? notices : (notices.notices || notices.rows || []);
  const q4 = rows.filter((n) => n.period === '2026-Q4' && ['statement_ready', 'fee_statement'].includes(n.kind));
  assert.deepEqual(q4, [], 'no statement notice for 2026-Q4 while it runs');
  await page.context().close();
});

test('report status beside payment status: not yet due, and paid with the report missing', async () => {
  const page = await signIn('finance');
  await page.goto(`${srv.url}/reconciliation`);
  const cell = (c, q, i) => text(page.locator(`#grid tr[data-contract="${c}"][data-quarter="${q}"] td`).nth(i));
  assert.equal(await cell('KS-OFFC-2025', '2026-Q4', 2), 'not yet due');
  assert.equal(await cell('KS-OFFC-2025', '2026-Q3', 7), 'paid — report missing');
  assert.equal(await cell('KS-OFFC-2025', '2026-Q2', 7), 'paid');
  await page.goto(`${srv.url}/contracts/KS-OFFC-2025`);
  const body = await text(page.locator('main'));
  assert.match(body, /not yet due/);
  assert.match(body, /paid — report missing/);
  await page.context().close();
});
