// Members' purchase registers on the web (DOMAIN.md 4.7): the API
// (POST /api/v1/contracts/NUMBER/registers, CSV and Excel bodies, who may
// send what), a member's upload through the form and its POs' statuses
// on its page, and staff's upload for an agency and reversal of a batch.
//
// The demo's member is USD233, a participant of KS-FURN-2025 and
// KS-OFFC-2025.  Today is 2026-11-25; both contracts' fees are due 45
// days after a quarter ends.  A register PO is pending until the due date
// of the quarter after its PO date's: for 2026-Q2 POs that is 2026-09-30
// + 45 days = 2026-11-14 (passed), for 2026-Q3 POs 2026-12-31 + 45 days =
// 2027-02-14 (not yet).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cliJson, demoDatabase, startServer, token, launchChromium } from './lib.mjs';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OUTSIDER = { email: 'buyer@usd101.ks.example', password: 'register outsider 101' };
let demo, srv, browser;
const tok = {};

before(async () => {
  demo = demoDatabase();
  // USD101 takes part in no contract: its member may see neither contract
  execFileSync(bin, ['--db', demo.db, 'user', 'add', '--email', OUTSIDER.email, '--role', 'member',
    '--agency', 'USD101'], { env: { ...process.env, COOPLEDGER_PASSWORD: OUTSIDER.password } });
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance', 'member', 'vendor']) tok[role] = await token(srv.url, demo.users[role]);
  tok.outsider = await token(srv.url, OUTSIDER);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// POST a register body as who; resolves to {status, body}.
async function send(who, contract, body, { type = 'text/csv', query = '' } = {}) {
  const res = await fetch(`${srv.url}/api/v1/contracts/${contract}/registers${query}`, {
    method: 'POST', headers: { authorization: `Bearer ${tok[who]}`, 'content-type': type }, body,
  });
  return { status: res.status, body: await res.json() };
}

// The register batches and lines written so far.
function counts() {
  const q = (sql) => execFileSync('sqlite3', [demo.db, sql], { encoding: 'utf8' }).trim();
  return `${q('SELECT count(*) FROM register_batch')} ${q('SELECT count(*) FROM register_line')}`;
}

// An Excel workbook of rows (the first row the header), written by
// openpyxl: cells given as {date: 'YYYY-MM-DD'} are real date cells,
// numbers are number cells.
function workbook(name, rows) {
  const path = join(demo.dir, name);
  execFileSync('/usr/bin/python3', ['-c', `
import datetime, json, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = 'PO export'
for row in json.loads(sys.argv[2]):
    ws.append([datetime.date.fromisoformat(c['date']) if isinstance(c, dict) else c for c in row])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, datetime.date):
            cell.number_format = 'mm/dd/yyyy'
wb.save(sys.argv[1])
`, path, JSON.stringify(rows)]);
  return readFileSync(path);
}

test('API: a member sends its own register for KS-OFFC-2025; the same file again is a no-op', async () => {
  // 250.00 + 1,000.05 = 1,250.05
  const csv = 'po_number,po_date,amount,description\nOFF-233-1,2026-04-02,250.00,toner\n' +
    'OFF-233-2,2026-05-20,"1,000.05",chairs\n';
  const first = await send('member', 'KS-OFFC-2025', csv);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.deepEqual([first.body.rows, first.body.accepted, first.body.duplicates, first.body.rejected,
    first.body.totals.amount], [2, 2, 0, 0, '1250.05']);
  const written = counts();
  const again = await send('member', 'KS-OFFC-2025', csv);
  assert.equal(again.status, 200);
  assert.equal(again.body.already_imported, true);
  assert.equal(again.body.batch, first.body.batch);
  assert.equal(counts(), written, 'nothing written the second time');
  // the same POs in another file: duplicates, counted once
  const dup = await send('member', 'KS-OFFC-2025', 'PO #,PO Date,Total\nOFF-233-1,04/02/2026,250\n');
  assert.equal(dup.status, 201);
  assert.deepEqual([dup.body.accepted, dup.body.duplicates, dup.body.totals.amount], [0, 1, '0.00']);
});

test('API: a member row naming another agency is a row error; nothing is written', async () => {
  const before = counts();
  const r = await send('member', 'KS-OFFC-2025',
    'agency_code,po_number,po_date,amount\nUSD233,OFF-233-3,2026-06-01,10.00\nUSD259,OFF-259-1,2026-06-01,20.00\n');
  assert.equal(r.status, 422);
  assert.equal(r.body.batch, null);
  assert.deepEqual([r.body.rows, r.body.accepted, r.body.rejected], [2, 1, 1]);
  assert.deepEqual([r.body.errors[0].row, r.body.errors[0].column], [2, 'agency_code']);
  assert.match(r.body.errors[0].message, /USD259 is not your agency \(USD233\)/);
  assert.equal(counts(), before);
  // a conflicting amount for a PO already registered: a row error too
  const c = await send('member', 'KS-OFFC-2025', 'po_number,po_date,amount\nOFF-233-1,2026-04-02,260.00\n');
  assert.equal(c.status, 422);
  assert.deepEqual([c.body.errors[0].row, c.body.errors[0].column], [1, 'amount']);
  assert.match(c.body.errors[0].message, /already registered with amount 250\.00/);
  assert.equal(counts(), before);
});

test('API: who may not send a register', async () => {
  const csv = 'po_number,po_date,amount\nX-1,2026-06-01,10.00\n';
  const before = counts();
  // a member naming another agency for the whole file
  let r = await send('member', 'KS-OFFC-2025', csv, { query: '?agency=USD259' });
  assert.equal(r.status, 404);
  // a member of an agency that does not take part in the contract
  r = await send('outsider', 'KS-OFFC-2025', csv);
  assert.equal(r.status, 404);
  assert.equal(r.body.error, 'no such contract');
  // a vendor
  r = await send('vendor', 'KS-FURN-2025', csv, { query: '?agency=USD233' });
  assert.equal(r.status, 404);
  // staff naming an agency that is not a participant
  r = await send('admin', 'KS-OFFC-2025', csv, { query: '?agency=USD101' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /agency USD101 is not a participant of contract KS-OFFC-2025/);
  assert.equal(counts(), before);
});

test('API: a bad file is refused with a clear 400', async () => {
  const before = counts();
  let r = await send('admin', 'KS-OFFC-2025', 'po_number,po_date\nX-1,2026-06-01\n', { query: '?agency=USD497' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /no amount column/);
  r = await send('admin', 'KS-OFFC-2025', 'po_number,po_date,amount\nX-1,2026-06-01,10.00\n');
  assert.equal(r.status, 400);
  assert.match(r.body.error, /no agency_code column/);
  r = await send('admin', 'KS-OFFC-2025', Buffer.from('PK\x03\x04 not a workbook'), { type: XLSX, query: '?agency=USD497' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /not an \.xlsx workbook/);
  r = await send('admin', 'KS-OFFC-2025', '', { query: '?agency=USD497' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /the file is empty/);
  assert.equal(counts(), before);
});

test('API: staff send the same register as CSV and as an Excel workbook, with the same figures', async () => {
  // USD497's export: 1,234.50 + 99.99 + 2,000.00 = 3,334.49
  const csv = 'PO #,PO Date,Total,Memo\nX497-1,03/02/2026,1234.50,tables\n' +
    'X497-2,2026-04-15,99.99,\nX497-3,2026-07-01,2000.00,lockers\n';
  const dry = await send('finance', 'KS-OFFC-2025', csv, { query: '?agency=USD497&dry_run=1' });
  assert.equal(dry.status, 200);
  assert.equal(dry.body.batch, null);
  const book = workbook('usd497.xlsx', [['PO #', 'PO Date', 'Total', 'Memo'],
    ['X497-1', { date: '2026-03-02' }, 1234.5, 'tables'], ['X497-2', { date: '2026-04-15' }, 99.99, null],
    ['X497-3', { date: '2026-07-01' }, 2000, 'lockers']]);
  const x = await send('admin', 'KS-OFFC-2025', book, { type: XLSX, query: '?agency=USD497&file_name=usd497.xlsx' });
  assert.equal(x.status, 201, JSON.stringify(x.body));
  for (const k of ['rows', 'accepted', 'duplicates', 'rejected']) assert.equal(x.body[k], dry.body[k], k);
  assert.deepEqual([x.body.rows, x.body.accepted, x.body.totals.amount, dry.body.totals.amount],
    [3, 3, '3334.49', '3334.49']);
  // the CSV now: every PO already there with the same amount
  const c = await send('admin', 'KS-OFFC-2025', csv, { query: '?agency=USD497' });
  assert.deepEqual([c.status, c.body.accepted, c.body.duplicates], [201, 0, 3]);
  // a staff file with each row's agency_code
  const multi = await send('admin', 'KS-OFFC-2025',
    'agency_code,po_number,po_date,amount\nUSD497,X497-4,2026-08-01,5.00\nUSD259,X259-1,2026-08-02,7.25\n');
  assert.deepEqual([multi.status, multi.body.accepted, multi.body.totals.amount], [201, 2, '12.25']);
});

test('API: a register over the upload limit is refused with 413; nothing is written', async () => {
  // a second server on the same books, taking uploads of at most 1 MiB
  const small = await startServer(demo.db, ['--max-upload', '1']);
  try {
    // 40,000 rows of 28 bytes: 1,120,000 bytes, past 1 MiB (1,048,576)
    let csv = 'po_number,po_date,amount\n';
    for (let i = 0; i < 40000; i++) csv += `BIG-${String(i).padStart(6, '0')},2026-06-01,10.00\n`;
    assert.ok(csv.length > 1048576);
    const before = counts();
    const res = await fetch(`${small.url}/api/v1/contracts/KS-OFFC-2025/registers`, {
      method: 'POST', headers: { authorization: `Bearer ${tok.member}`, 'content-type': 'text/csv' }, body: csv,
    });
    assert.equal(res.status, 413);
    assert.match((await res.json()).error, /too large/);
    assert.equal(counts(), before);
  } finally {
    await small.stop();
  }
});

// The member's register for KS-FURN-2025, against what the vendor
// reported for the same POs (net invoiced + freight of the live lines):
//   PO-USD233-13935 2026-06-20  6,640.80; reported 6,640.80: reported
//   PO-USD233-13941 2026-06-10  8,828.70; reported 8,728.70: the gap of
//     100.00 is past the tolerance max(1.00, 0.5% x 8,828.70 = 44.14),
//     and 2026-11-14 has passed: reported short by $100.00
//   PO-USD233-13940 2026-05-15    200.00; reported 250.60 > 200.00 + 1.00:
//     reported above your amount
//   PO-USD233-90001 2026-05-10  1,250.00; nothing reported, 2026-11-14
//     passed: not reported
//   PO-USD233-90002 2026-08-15    640.00; nothing reported, a 2026-Q3 PO:
//     not yet reported, due 2027-02-14
// Total 6,640.80 + 8,828.70 + 200.00 + 1,250.00 + 640.00 = 17,559.50.
const MEMBER_CSV = 'po_number,po_date,amount,description\n' +
  'PO-USD233-13935,2026-06-20,6640.80,classroom chairs\nPO-USD233-13941,2026-06-10,8828.70,desks\n' +
  'PO-USD233-13940,2026-05-15,200.00,\nPO-USD233-90001,2026-05-10,1250.00,bookcases\n' +
  'PO-USD233-90002,2026-08-15,640.00,whiteboards\n';
const STATUSES = {
  'PO-USD233-90002': ['pending', "not yet reported — the vendor's report for this period is due 2027-02-14"],
  'PO-USD233-13935': ['reported', 'reported'],
  'PO-USD233-13941': ['under_reported', 'reported short by $100.00'],
  'PO-USD233-13940': ['over_reported', 'reported above your amount'],
  'PO-USD233-90001': ['unreported', 'not reported'],
};

async function signIn(page, user) {
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${srv.url}/`);
}

test('browser: a member sends its purchase orders through the form and sees their statuses', async () => {
  const file = join(demo.dir, 'usd233-pos.csv');
  writeFileSync(file, MEMBER_CSV);
  const bad = join(demo.dir, 'usd233-bad.csv');
  writeFileSync(bad, 'po_number,po_date,amount\nPO-USD233-90003,2026-06-01,12.345\nPO-USD233-90004,06/31/2026,5.00\n');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, demo.users.member);
  const card = page.locator('section.agency-contract[data-contract="KS-FURN-2025"]');
  assert.equal(await card.locator('.register-summary').textContent(),
    'You have sent us no purchase orders for this contract yet.');
  await card.getByRole('link', { name: 'Send us your purchase orders for KS-FURN-2025' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Send us your purchase orders for this contract');
  assert.match(await page.locator('#register-columns').textContent(), /merchandise plus freight, without tax/);
  assert.match(await page.locator('#register-columns').textContent(), /Excel workbooks .* and CSV files are both accepted/);
  const tpl = await page.request.get(srv.url + await page.getAttribute('a:text("Download a CSV template")', 'href'));
  assert.equal(await tpl.text(), 'po_number,po_date,amount,description\r\n');

  // a bad file: its rows named in the alert, nothing written
  const before = counts();
  await page.setInputFiles('#register-upload input[name=file]', bad);
  await page.click('#register-upload button[type=submit]');
  const alert = page.locator('[role=alert]#row-errors');
  assert.match(await alert.textContent(), /Nothing was written/);
  const rows = await alert.locator('#errors tr').allTextContents();
  assert.equal(rows.length, 3);
  assert.match(rows[1], /^1.*PO-USD233-90003.*amount/);
  assert.match(rows[2], /^2.*PO-USD233-90004.*po_date/);
  assert.equal(counts(), before);

  // checked only: the same figures, nothing written
  await page.goto(`${srv.url}/contracts/KS-FURN-2025/registers`);
  await page.setInputFiles('#register-upload input[name=file]', file);
  await page.check('#register-upload input[name=dry_run]');
  await page.click('#register-upload button[type=submit]');
  assert.equal(await page.locator('#outcome').textContent(), 'Checked: nothing has been written.');
  assert.deepEqual(await page.locator('#counts td').allTextContents(), ['5', '5', '0', '0', '$17,559.50']);
  assert.equal(counts(), before);

  // the register itself
  await page.goto(`${srv.url}/contracts/KS-FURN-2025/registers`);
  await page.setInputFiles('#register-upload input[name=file]', file);
  await page.click('#register-upload button[type=submit]');
  assert.match(await page.locator('#outcome').textContent(), /Received as batch \d+: accepted 5, total \$17,559\.50\./);
  assert.equal(await page.locator('[role=alert]').count(), 0);

  await page.goto(`${srv.url}/`);
  assert.equal(await card.locator('.register-summary').textContent(),
    '5 purchase orders registered: 1 reported, 1 not yet reported, 1 reported short, ' +
    '1 reported above your amount, 1 not reported.');
  const seen = {};
  for (const tr of await card.locator('table.register-pos tr[data-po]').all())
    seen[await tr.getAttribute('data-po')] = [await tr.getAttribute('data-status'),
      (await tr.locator('td.status').textContent()).trim()];
  assert.deepEqual(seen, STATUSES);
  // newest PO date first
  assert.deepEqual(Object.keys(seen), ['PO-USD233-90002', 'PO-USD233-13935', 'PO-USD233-13941',
    'PO-USD233-13940', 'PO-USD233-90001']);
  // its own figures only: no other agency's PO and no staff file
  const text = await page.locator('main').textContent();
  assert.ok(!/USD497|X497-|USD259/.test(text));
  await page.goto(`${srv.url}/contracts/KS-OFFC-2025/registers`);
  const files = await page.locator('#register-batches tr[data-batch]').allTextContents();
  assert.ok(files.length >= 2 && files.every((f) => /buyer@usd233/.test(f)), files.join('\n'));
  assert.equal(await page.locator('#register-batches form').count(), 0, 'a member reverses nothing');
  await ctx.close();
});

test('browser: staff send a register for an agency and reverse the batch, audited', async () => {
  // USD497's two POs for KS-FURN-2025: 512.25 + 87.75 = 600.00
  const file = join(demo.dir, 'usd497-finance-export.csv');
  writeFileSync(file, 'PO #,PO Date,Total\nF497-1,2026-02-03,512.25\nF497-2,2026-09-09,87.75\n');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, demo.users.admin);
  await page.goto(`${srv.url}/contracts/KS-FURN-2025`);
  await page.click('#registers-link');
  assert.equal(await page.locator('h1').textContent(), "Members' purchase registers · KS-FURN-2025");
  await page.selectOption('#register-upload select[name=agency]', 'USD497');
  await page.setInputFiles('#register-upload input[name=file]', file);
  await page.click('#register-upload button[type=submit]');
  const outcome = await page.locator('#outcome').textContent();
  const m = outcome.match(/Received as batch (\d+): accepted 2, total \$600\.00\./);
  assert.ok(m, outcome);
  const batch = m[1];

  await page.click('a:text("Back to the registers of KS-FURN-2025")');
  const row = page.locator(`#register-batches tr[data-batch="${batch}"]`);
  const cells = await row.locator('td').allTextContents();
  assert.deepEqual(cells.slice(2, 9), ['USD497', 'usd497-finance-export.csv', '2', '2', '0', '0', '$600.00']);
  assert.match(cells[9], /admin@usd259/);
  // before the reversal the audit compares both POs with the ledger
  const audited = cliJson(demo.db, 'report', 'completeness', '--contract', 'KS-FURN-2025');
  assert.deepEqual(audited.pos.filter((p) => p.po_number.startsWith('F497-')).map((p) => p.register_amount),
    ['512.25', '87.75']);
  page.on('dialog', (d) => d.accept());
  await row.locator('input[name=reason]').fill('sent for the wrong agency');
  await row.getByRole('button', { name: `Reverse register batch ${batch}` }).click();
  assert.match(await page.locator('[role=status]').first().textContent(), new RegExp(`Register batch ${batch} reversed`));
  assert.match(await row.locator('td').last().textContent(), /reversed .*: sent for the wrong agency/);
  assert.equal(await row.locator('form').count(), 0);
  // the reversal is in the audit log
  await page.goto(`${srv.url}/audit`);
  assert.match(await page.locator('main').textContent(), /register\.reverse/);
  // its POs no longer count: the completeness report has neither
  const after = cliJson(demo.db, 'report', 'completeness', '--contract', 'KS-FURN-2025');
  assert.ok(!after.pos.some((p) => p.po_number.startsWith('F497-')), 'reversed POs are not audited');
  await ctx.close();
});
