// People in a real browser: Debian's chromium driven by playwright-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoDatabase, startServer, cliJson, cli, root, launchChromium } from './lib.mjs';

const artifacts = join(root, 'tests', 'artifacts');
let demo, srv, browser;
const C = 'KS-FURN-2025';

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = demoDatabase();
  // an agency whose name is an attack: it must show as text
  cli(demo.db, 'agency', 'add', '--code', 'XSS-1', '--name', '<script>alert(1)</script> & "Co"',
    '--kind', 'city', '--state', 'KS');
  srv = await startServer(demo.db);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function signIn(role) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${srv.url}/`);
  assert.match(page.url(), /\/login/);
  await page.fill('input[name=email]', demo.users[role].email);
  await page.fill('input[name=password]', demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  page.errors = errors;
  return page;
}

const money = (s) => Number(s.replace(/[$,]/g, ''));

// The upload form as a person uses it: check the file, then import it.
async function checkThenImport(page, period, file) {
  await page.fill('input[name=period]', period);
  await page.setInputFiles('input[name=file]', file);
  await page.click('button[value=check]');
  await page.waitForSelector('#outcome');
  assert.match(await page.textContent('#outcome'), /Checked/);
  await page.click('button[value=import]');
  await page.waitForSelector('#outcome');
  assert.match(await page.textContent('#outcome'), /Imported as batch \d+/);
}

test('admin walks every staff page; figures match the CLI', async () => {
  const page = await signIn('admin');
  assert.match(await page.textContent('h1'), /Dashboard/);
  const totals = cliJson(demo.db, 'report', 'revenue').totals;
  assert.equal(money(await page.textContent('#outstanding')), Number(totals.outstanding));
  assert.equal(money(await page.textContent('#overdue')), Number(totals.overdue));
  assert.match(await page.textContent('main'), /of \d+ agencies \(\d+%\) make 80% of the spend/);
  assert.match(await page.textContent('main'), /more unlocks/);
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  for (const [path, heading, shot] of [['/contracts', 'Contracts', 'contracts'],
    [`/contracts/${C}`, C, 'contract'], ['/agencies', 'Agencies', 'agencies'], ['/agencies/USD259', 'USD259', 'agency'],
    ['/purchases', 'Purchases', 'purchases'], ['/imports', 'Sales reports', 'imports'],
    ['/reconciliation', 'Reconciliation', 'reconciliation'], [`/rebates?contract=${C}`, 'Volume rebates', 'rebates'],
    ['/users', 'Users', 'users'], ['/tokens', 'API tokens', 'tokens'], ['/audit', 'Audit log', 'audit']]) {
    const res = await page.goto(srv.url + path);
    assert.equal(res.status(), 200, path);
    assert.match(await page.textContent('h1'), new RegExp(heading), path);
    const html = await page.content();
    assert.ok(html.length < 300000, `${path} is ${html.length} bytes`);
    await page.screenshot({ path: join(artifacts, `${shot}.png`), fullPage: false });
  }
  const fees = cliJson(demo.db, 'report', 'fees', '--contract', C);
  await page.goto(`${srv.url}/contracts/${C}`);
  for (const q of fees.quarters) {
    const row = page.locator(`table.fees tr[data-quarter="${q.quarter}"]`);
    assert.match(await row.textContent(), new RegExp(q.status));
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a hostile agency name renders as text, not markup', async () => {
  const page = await signIn('admin');
  let alerted = false;
  page.on('dialog', async (d) => { alerted = true; await d.dismiss(); });
  await page.goto(`${srv.url}/agencies?q=XSS`);
  assert.match(await page.textContent('#agencies'), /<script>alert\(1\)<\/script> & "Co"/);
  assert.equal(await page.locator('#agencies script').count(), 0);
  assert.equal(alerted, false);
  await page.close();
});

test('admin uploads a report with errors, sees them, uploads the fixed file, totals move', async () => {
  const page = await signIn('admin');
  const dir = join(demo.dir, 'up');
  mkdirSync(dir, { recursive: true });
  const header = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n';
  const bad = join(dir, 'prairie-2026-Q4.csv');
  writeFileSync(bad, header + 'USD259,PO-B1,INV-B1,2026-10-07,1000.00,400.00\nUSD259,PO-B2,INV-B2,2026-02-30,50.00,20.00\n');
  await page.goto(`${srv.url}/imports?contract=${C}`);
  await page.selectOption('select[name=contract]', C);
  await page.fill('input[name=period]', '2026-Q4');
  await page.setInputFiles('input[name=file]', bad);
  await page.click('button[value=check]');
  await page.waitForSelector('#errors');
  assert.match(await page.textContent('#errors'), /2025-02-30|2026-02-30 is not a real date/);
  await page.screenshot({ path: join(artifacts, 'import-errors.png') });
  const before = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4').quarters[0];
  const good = join(dir, 'prairie-2026-Q4-fixed.csv');
  writeFileSync(good, header + 'USD259,PO-B1,INV-B1,2026-10-07,1000.00,400.00\nUSD259,PO-B2,INV-B2,2026-11-02,50.00,20.00\n');
  await page.goto(`${srv.url}/imports?contract=${C}`);
  await checkThenImport(page, '2026-Q4', good);
  const after = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4').quarters[0];
  assert.equal(Number(after.net_sales) - Number(before.net_sales), 420);
  assert.equal(after.report, 'filed');
  await page.close();
});

test('finance records a remittance and sees the quarter paid', async () => {
  const page = await signIn('finance');
  const q = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q2').quarters[0];
  assert.equal(q.status, 'overdue');
  await page.goto(`${srv.url}/reconciliation`);
  await page.selectOption('#remit select[name=contract]', C);
  await page.fill('#remit input[name=period]', '2026-Q2');
  await page.fill('#remit input[name=amount]', q.balance);
  await page.fill('#remit input[name=received]', '2026-11-24');
  await page.fill('#remit input[name=reference]', 'ACH-UI-7');
  await page.click('#remit button[type=submit]');
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /Recorded/);
  const row = page.locator(`#grid tr[data-contract="${C}"][data-quarter="2026-Q2"]`);
  assert.match(await row.textContent(), /paid/);
  await page.screenshot({ path: join(artifacts, 'reconciliation-paid.png') });
  await page.close();
});

test('a member sees its own purchases, savings and rebate share only', async () => {
  const page = await signIn('member');
  const own = cliJson(demo.db, 'report', 'agency', '--agency', demo.users.member.bound, '--contract', C);
  assert.match(await page.textContent('h1'), /Olathe/);
  const section = page.locator(`section[data-contract="${C}"]`);
  assert.equal(money(await section.locator('.savings').textContent()), Number(own.contracts[0].savings));
  assert.equal(money(await section.locator('.paid').textContent()), Number(own.contracts[0].paid_total));
  await page.screenshot({ path: join(artifacts, 'member.png'), fullPage: false });
  const res = await page.goto(`${srv.url}/agencies/USD259`);
  assert.equal(res.status(), 404);
  await page.close();
});

test('finance sees the batches but no upload form', async () => {
  const page = await signIn('finance');
  const res = await page.goto(`${srv.url}/imports?contract=${C}`);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('#batches').count(), 1);
  assert.equal(await page.locator('input[type=file]').count(), 0);
  await page.close();
});

test('a vendor uploads its own report, sees its fee quarters and can file a zero report', async () => {
  const page = await signIn('vendor');
  assert.match(await page.textContent('h1'), /My contracts/);
  assert.equal(await page.locator('section[data-contract="KS-OFFC-2025"]').count(), 0);
  await page.screenshot({ path: join(artifacts, 'vendor.png'), fullPage: false });
  const file = join(demo.dir, 'vendor-2026-Q4.csv');
  writeFileSync(file, 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
    'USD233,PO-V1,INV-V1,2026-10-12,300.00,120.00\n');
  const before = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4').quarters[0];
  await page.goto(`${srv.url}/imports`);
  await page.selectOption('select[name=contract]', C);
  await checkThenImport(page, '2026-Q4', file);
  const after = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4').quarters[0];
  assert.equal(Number(after.net_sales) - Number(before.net_sales), 120);
  await page.goto(`${srv.url}/imports`);
  await page.selectOption('select[name=contract]', 'KS-FURN-2022');
  await page.fill('input[name=period]', '2025-Q2');
  await page.click('button[value=zero]');
  await page.waitForSelector('#outcome');
  assert.match(await page.textContent('#outcome'), /Imported as batch|already imported/);
  const res = await page.goto(`${srv.url}/reconciliation`);
  assert.equal(res.status(), 404);
  await page.close();
});
