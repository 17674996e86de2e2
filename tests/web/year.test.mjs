// A year of an admin's work, in one browser, on one demo database and one
// new contract, as a person would do it: sign in; add the vendor that won
// the award; create contract KS-YEAR-2026 from the form (two mistakes
// shown beside their fields with what was typed kept, then fixed); enroll
// three districts; map the vendor's odd report headers from its first
// report and import its reports for 2026-Q1, 2026-Q2 and 2026-Q3; amend
// the fee from 2026-07-01 (Q2 keeps its fee, Q3 pays the new rate);
// exercise the renewal option (the end moves to 2027-12-31); invite a
// finance user, whose e-mailed link (through a real SMTP server) sets a
// password to sign in with; deactivate them, and their open session ends
// at its next request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asOf, token, browserWorld } from './lib.mjs';

const K = 'KS-YEAR-2026';
const V = 'V-YEAR';
const CLERK = { email: 'fee.clerk@usd259.ks.example', password: 'a year of fees 2026' };

// The vendor's own report layout: odd headers, US dates, a column to ignore.
const HEAD = 'Customer ID,Ship-To Name,Purchase Order,Invoice No.,Inv Date,List Ext,Net Billed,Territory\n';
const MAPPING = {
  'Customer ID': 'agency_code', 'Ship-To Name': 'agency_name', 'Purchase Order': 'po_number',
  'Invoice No.': 'invoice_number', 'Inv Date': 'invoice_date', 'List Ext': 'list_amount',
  'Net Billed': 'invoiced_amount', Territory: 'ignore',
};
// The fee is graduated, 2% from $0, counted per calendar year: a quarter's
// fee is F(sales of the year through its last day) - F(sales through the
// day before it), each F rounded to the cent, half away from zero.
//
// 2026-Q1: 3,000.00 + 4,800.25 + 1,500.00 = 9,300.25 (list 15,500.00)
//   fee = F(9,300.25) = 186.005 -> 186.01
const Q1 = HEAD +
  'USD260,Derby,PO-260-01,INV-Y101,02/10/2026,5000.00,3000.00,East\n' +
  'USD261,Haysville,PO-261-01,INV-Y102,03/05/2026,8000.00,4800.25,South\n' +
  'USD259,Wichita,PO-259-01,INV-Y103,03/20/2026,2500.00,1500.00,Central\n';
// 2026-Q2: 6,000.00 + 750.25 = 6,750.25; the year through Q2 16,050.50
//   fee = F(16,050.50) - F(9,300.25) = 321.01 - 186.01 = 135.00
//   (not 6,750.25 x 2% = 135.005 -> 135.01: the year's sales are counted)
const Q2 = HEAD +
  'USD262,Valley Center,PO-262-01,INV-Y201,04/14/2026,10000.00,6000.00,North\n' +
  'USD260,Derby,PO-260-02,INV-Y202,06/30/2026,1250.50,750.25,East\n';
// 2026-Q3: one line of 1,234.56; the year through Q3 17,285.06
//   at 2%: F(17,285.06) - F(16,050.50) = 345.7012 -> 345.70 - 321.01 = 24.69
//   amended to 3% from 2026-07-01, the whole quarter is one piece at 3%:
//   518.5518 -> 518.55 - 481.515 -> 481.52 = 37.03
const Q3 = HEAD +
  'USD261,Haysville,PO-261-02,INV-Y301,08/20/2026,2000.00,1234.56,South\n';
// Net sales 9,300.25 + 6,750.25 + 1,234.56 = 17,285.06, on list prices of
// 15,500.00 + 11,250.50 + 2,000.00 = 28,750.50.  By agency: USD259 1 line
// 1,500.00; USD260 2 lines 3,000.00 + 750.25 = 3,750.25; USD261 2 lines
// 4,800.25 + 1,234.56 = 6,034.81; USD262 1 line 6,000.00.

let demo, srv, smtp, browser, world;

before(async () => {
  ({ demo, smtp, srv, browser } = world = await browserWorld((demo) => {
    for (const [name, body] of [['q1', Q1], ['q2', Q2], ['q3', Q3]])
      writeFileSync(join(demo.dir, `year-2026-${name}.csv`), body);
  }));
});

after(() => world?.stop());

// Deliver the outbox to the SMTP server, links under the server's address.
const deliver = () => smtp.deliver(demo.db, srv.url);

async function signIn(page, user) {
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
}

const text = async (page, sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
// The cells of a table row, as text.
const cells = (page, sel) => page.$$eval(`${sel} td`, (tds) => tds.map((td) => td.textContent.trim()));
// The <select> of the sample's header h.
const menuOf = (page, h) => page.locator('#sample-columns tr', { has: page.locator(`td:text-is("${h}")`) }).locator('select');

test('a year of one contract: created, enrolled, reported, amended, renewed; a finance user invited and deactivated', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  let api;
  // The fee quarter q of the contract, from the API.
  const quarter = async (q) => {
    const res = await fetch(`${srv.url}/api/v1/contracts/${K}/fees?period=${q}`,
      { headers: { authorization: `Bearer ${api}` } });
    assert.equal(res.status, 200);
    return (await res.json()).quarters[0];
  };
  // Net sales and fee of quarter q as the contract page shows them.
  const feeRow = async (q) => (await cells(page, `table.fees tr[data-quarter="${q}"]`)).slice(0, 3);
  // Each step needs the ones before it: after a failure the rest are skipped.
  let failed = '';
  const step = (name, fn) => t.test(name, { skip: failed ? `needs the failed step "${failed}"` : false }, async () => {
    try { await fn(); } catch (e) { failed = name; throw e; }
  });

  await step('the admin signs in and adds the vendor that won the award', async () => {
    await signIn(page, demo.users.admin);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await text(page, '.who'), `${demo.users.admin.email} (admin)`);
    api = await token(srv.url, demo.users.admin);
    await page.click('nav >> text=Vendors');
    await page.fill('#add-vendor input[name=code]', V);
    await page.fill('#add-vendor input[name=name]', 'Year-Round School Supply');
    await page.fill('#add-vendor input[name=email]', 'reports@yearround.example');
    await page.click('#add-vendor button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal(await text(page, '#notice'), `Done: Added vendor ${V}.`);
    assert.match(page.url(), new RegExp(`/vendors/${V}$`));
  });

  await step('a new contract: two mistakes beside their fields, typed values kept; fixed, it is created', async () => {
    await page.goto(`${srv.url}/contracts`);
    await page.click('#new-contract');
    assert.match(page.url(), /\/contracts\/new$/);
    await page.fill('#f-number', K);
    await page.fill('#f-title', 'Classroom Supplies');
    await page.fill('#f-category', 'supplies');
    await page.selectOption('#f-lead_agency', 'USD259');
    await page.selectOption('#f-vendor', V);
    await page.fill('#f-start', '2026-01-01');
    await page.fill('#f-end', '2025-12-31'); // mistake: before the start
    await page.fill('#f-solicitation', 'RFP 25-0900');
    await page.selectOption('#f-fee_year', 'calendar');
    await page.selectOption('#f-fee_mode', 'graduated');
    await page.fill('#f-fee_from_0', '0');
    await page.fill('#f-fee_rate_0', '2'); // mistake: not a percentage
    await page.fill('#f-due_days', '30');
    await page.fill('#f-renew_options', '1');
    await page.fill('#f-renew_years', '1');
    await page.click('button:text("Create contract")');
    await page.waitForLoadState('load');

    assert.equal(await text(page, '#form-error'), 'Error: Contract not created. Fix the 2 fields marked below.');
    assert.equal(await text(page, '#e-end'), '2025-12-31 is before start 2026-01-01');
    assert.equal(await text(page, '#e-fee_rate_0'), 'rate "2" needs a % sign (e.g. 2%)');
    for (const id of ['#f-end', '#f-fee_rate_0']) {
      assert.equal(await page.getAttribute(id, 'aria-invalid'), 'true', id);
      assert.equal(await page.getAttribute(id, 'aria-describedby'), id.replace('#f-', 'e-'), id);
    }
    assert.equal(await page.locator('.field-error').count(), 2);
    const kept = { '#f-number': K, '#f-title': 'Classroom Supplies', '#f-lead_agency': 'USD259', '#f-vendor': V,
      '#f-start': '2026-01-01', '#f-end': '2025-12-31', '#f-fee_year': 'calendar', '#f-fee_rate_0': '2',
      '#f-due_days': '30', '#f-renew_options': '1', '#f-renew_years': '1' };
    for (const [sel, v] of Object.entries(kept)) assert.equal(await page.inputValue(sel), v, sel);
    assert.equal((await fetch(`${srv.url}/api/v1/contracts/${K}`, { headers: { authorization: `Bearer ${api}` } })).status,
      404, 'nothing written');

    await page.fill('#f-end', '2026-12-31');
    await page.fill('#f-fee_rate_0', '2%');
    await page.click('button:text("Create contract")');
    await page.waitForLoadState('load');
    assert.match(page.url(), new RegExp(`/contracts/${K}$`));
    assert.equal(await text(page, '#notice'), `Done: Contract ${K} created.`);
    assert.equal(await text(page, 'h1'), `${K} · Classroom Supplies`);
    assert.equal(await text(page, 'h1 + p'), `supplies contract awarded by Wichita USD 259 (USD259) to Year-Round School Supply (${V}) ` +
      'under RFP 25-0900; term 2026-01-01 to 2026-12-31, active. 1 participating agencies; 0 live ledger lines, ' +
      'net sales $0.00 on list prices of $0.00.');
    assert.match(await text(page, 'main'), /each band's rate on the sales inside that band, counted per calendar year, due 30 days after each quarter ends\./);
    assert.deepEqual(await page.$$eval('#amendments li', (lis) => lis.map((li) => li.textContent.replace(/\s+/g, ' ').trim())),
      ['2026-01-01 Award under RFP 25-0900: term 2026-01-01 to 2026-12-31, 1 renewal option(s) of 1 year(s).']);
    assert.match(await text(page, '#renew-form legend'), /^Exercise a renewal option \(1 left, 1 year\(s\) each\)$/);
  });

  await step('three districts enrolled from the contract page', async () => {
    await page.fill('#enroll textarea[name=agencies]', 'USD260, USD261\nUSD262');
    await page.fill('#enroll input[name=joined]', '2026-02-01');
    await page.click('#enroll button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal(await text(page, '#notice'), 'Done: Enrolled 3 agencies from 2026-02-01.');
    assert.deepEqual(await page.$$eval('#participants tr[data-agency]', (trs) => trs.map((tr) => tr.dataset.agency)),
      ['USD259', 'USD260', 'USD261', 'USD262']);
    assert.deepEqual(await cells(page, '#participants tr[data-agency="USD259"]'), ['USD259', 'Wichita USD 259', '2026-01-01', '0', '$0.00']);
    assert.deepEqual(await cells(page, '#participants tr[data-agency="USD260"]'), ['USD260', 'Derby USD 260', '2026-02-01', '0', '$0.00']);
    assert.deepEqual(await cells(page, '#participants tr[data-agency="USD261"]'), ['USD261', 'Haysville USD 261', '2026-02-01', '0', '$0.00']);
    assert.deepEqual(await cells(page, '#participants tr[data-agency="USD262"]'),
      ['USD262', 'Valley Center Public Schools USD 262', '2026-02-01', '0', '$0.00']);
    assert.match(await text(page, 'h1 + p'), / 4 participating agencies; /);
  });

  await step('the vendor\'s headers mapped from its Q1 report; Q1, Q2 and Q3 imported', async () => {
    await page.goto(`${srv.url}/vendors/${V}`);
    assert.equal(await page.locator('#column-map-none').count(), 1, 'no mapping yet');
    await page.setInputFiles('#sample-upload input[name=file]', join(demo.dir, 'year-2026-q1.csv'));
    await page.click('#sample-upload button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal(await page.locator('#sample-columns select').count(), 8);
    for (const h of Object.keys(MAPPING)) assert.equal(await menuOf(page, h).inputValue(), 'ignore', `${h} is read as nothing yet`);
    assert.deepEqual(await page.locator('#sample-columns tr', { hasText: 'Net Billed' }).locator('.sample-value').allTextContents(),
      ['3000.00', '4800.25', '1500.00']);
    for (const [h, c] of Object.entries(MAPPING)) await menuOf(page, h).selectOption(c);
    await page.selectOption('#map-form select[name=contract]', K);
    await page.click('#map-form button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal(await text(page, '#notice'), 'Done: Mapping saved; the sample is checked below.');
    assert.deepEqual(await page.$$eval('#column-map tr', (trs) => trs.slice(1).map((tr) => tr.textContent)),
      ['customer_idagency_code', 'inv_dateinvoice_date', 'invoice_no.invoice_number', 'list_extlist_amount',
        'net_billedinvoiced_amount', 'purchase_orderpo_number', 'ship_to_nameagency_name']);
    assert.equal(await text(page, '#check-title'), `The sample checked against ${K}`);
    assert.equal(await text(page, '#check-outcome'), 'Checked: every row can be imported. Nothing has been written.');
    assert.deepEqual(await cells(page, '#check #counts'), ['3', '3', '0', '0', '$15,500.00', '$9,300.25']);
    for (const h of Object.keys(MAPPING)) assert.equal(await menuOf(page, h).inputValue(), MAPPING[h], `${h} is read as mapped`);
    assert.equal((await quarter('2026-Q1')).net_sales, '0.00', 'the check wrote nothing');

    // the reports, through the imports page, read with the saved mapping
    await page.click('#check a[href^="/imports"]');
    await page.waitForLoadState('load');
    assert.equal(await page.inputValue('#upload select[name=contract]'), K);
    const imported = [];
    for (const [q, file, counts] of [
      ['2026-Q1', 'year-2026-q1.csv', ['3', '3', '0', '0', '$15,500.00', '$9,300.25']],
      ['2026-Q2', 'year-2026-q2.csv', ['2', '2', '0', '0', '$11,250.50', '$6,750.25']],
      ['2026-Q3', 'year-2026-q3.csv', ['1', '1', '0', '0', '$2,000.00', '$1,234.56']]]) {
      await page.goto(`${srv.url}/imports?contract=${K}`);
      await page.fill('#upload input[name=period]', q);
      await page.setInputFiles('#upload input[name=file]', join(demo.dir, file));
      await page.click('#upload button[value=import]');
      await page.waitForLoadState('load');
      assert.equal(await text(page, 'h1'), `Sales report for ${K}, ${q}`);
      const m = (await text(page, '#outcome')).match(/^Imported as batch (\d+)\.$/);
      assert.ok(m, `${q}: ${await text(page, '#outcome')}`);
      imported.push(m[1]);
      assert.deepEqual(await cells(page, '#counts'), counts, q);
      assert.equal(await text(page, 'p.muted.wrap'), `File: ${file}`);
    }
    await page.goto(`${srv.url}/imports?contract=${K}`);
    const by = `web:${demo.users.admin.email}`;
    assert.deepEqual(await page.$$eval('#batches tr', (trs) => trs.slice(1).map((tr) =>
      [...tr.querySelectorAll('td')].slice(0, 10).map((td) => td.textContent.trim()))), [
      [imported[2], 'year-2026-q3.csv', '2026-Q3', asOf, by, '1', '1', '0', '0', '$1,234.56'],
      [imported[1], 'year-2026-q2.csv', '2026-Q2', asOf, by, '2', '2', '0', '0', '$6,750.25'],
      [imported[0], 'year-2026-q1.csv', '2026-Q1', asOf, by, '3', '3', '0', '0', '$9,300.25']]);

    // the contract page: the year's sales, each district's purchases, the fees at 2%
    await page.goto(`${srv.url}/contracts/${K}`);
    assert.match(await text(page, 'h1 + p'), / 4 participating agencies; 6 live ledger lines, net sales \$17,285\.06 on list prices of \$28,750\.50\.$/);
    assert.deepEqual(await page.$$eval('#participants tr[data-agency]', (trs) => trs.map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()).join(' | '))), [
      'USD259 | Wichita USD 259 | 2026-01-01 | 1 | $1,500.00',
      'USD260 | Derby USD 260 | 2026-02-01 | 2 | $3,750.25',
      'USD261 | Haysville USD 261 | 2026-02-01 | 2 | $6,034.81',
      'USD262 | Valley Center Public Schools USD 262 | 2026-02-01 | 1 | $6,000.00']);
    assert.deepEqual(await feeRow('2026-Q1'), ['2026-Q1', '$9,300.25', '$186.01']);
    assert.deepEqual(await feeRow('2026-Q2'), ['2026-Q2', '$6,750.25', '$135.00']);
    assert.deepEqual(await feeRow('2026-Q3'), ['2026-Q3', '$1,234.56', '$24.69']);
    // due 30 days after each quarter; nothing remitted, so past due on 2026-11-25
    assert.deepEqual(await quarter('2026-Q3'), { quarter: '2026-Q3', net_sales: '1234.56', fee: '24.69', late_fee: '0.00',
      remitted: '0.00', balance: '24.69', due_date: '2026-10-30', status: 'overdue', report: 'late', days_past_due: 26 });
  });

  await step('the fee amended to 3% from 2026-07-01: Q2 keeps 2%, Q3 pays 3%', async () => {
    const q2 = await quarter('2026-Q2');
    assert.equal(q2.fee, '135.00');
    await page.click('#amend-link');
    await page.waitForLoadState('load');
    assert.match(page.url(), new RegExp(`/contracts/${K}/amend$`));
    assert.equal(await page.inputValue('#amend-form input[name=fee_from_0]'), '0.00');
    assert.equal(await page.inputValue('#amend-form input[name=fee_rate_0]'), '2%', 'the form starts from the terms in force');
    await page.fill('#amend-form input[name=effective]', '2026-07-01');
    await page.fill('#amend-form input[name=reference]', 'Amendment 1, board approval 2026-06-15');
    await page.fill('#amend-form input[name=fee_rate_0]', '3%');
    await page.click('#amend-form button[type=submit]');
    await page.waitForLoadState('load');
    assert.match(page.url(), new RegExp(`/contracts/${K}$`));
    assert.equal(await text(page, '#notice'), `Done: Amendment 1 of ${K} recorded, effective 2026-07-01.`);
    assert.match(await text(page, '#amendments li[data-seq="1"]'),
      /^2026-07-01 Amendment 1, Amendment 1, board approval 2026-06-15: fee graduated: 3% from \$0\.00\. Recorded by web:admin@usd259\.ks\.example at /);
    assert.deepEqual(await feeRow('2026-Q1'), ['2026-Q1', '$9,300.25', '$186.01']);
    assert.deepEqual(await feeRow('2026-Q2'), ['2026-Q2', '$6,750.25', '$135.00']);
    assert.deepEqual(await feeRow('2026-Q3'), ['2026-Q3', '$1,234.56', '$37.03']);
    assert.deepEqual(await quarter('2026-Q2'), q2, 'the quarter before the amendment keeps its fee');
    const q3 = await quarter('2026-Q3');
    assert.deepEqual([q3.net_sales, q3.fee, q3.balance], ['1234.56', '37.03', '37.03']);
    // the terms on a day before the amendment and on its first day
    const rates = async (on) => {
      await page.goto(`${srv.url}/contracts/${K}?on=${on}`);
      assert.equal(await text(page, '#terms-title'), `Terms in force on ${on}`);
      return page.$$eval('#terms-title ~ table', (ts) => [...ts[0].querySelectorAll('tr')].slice(1).map((tr) => tr.textContent));
    };
    assert.deepEqual(await rates('2026-06-30'), ['$0.002%']);
    assert.deepEqual(await rates('2026-07-01'), ['$0.003%']);
  });

  await step('the renewal option exercised: the end in force moves a year', async () => {
    await page.goto(`${srv.url}/contracts/${K}`);
    await page.fill('#renew-form input[name=effective]', '2026-11-20');
    await page.fill('#renew-form input[name=reference]', 'Renewal 1, board approval 2026-11-18');
    await page.click('#renew-form button[type=submit]');
    await page.waitForLoadState('load');
    assert.match(page.url(), new RegExp(`/contracts/${K}$`));
    assert.equal(await text(page, '#notice'), `Done: Amendment 2 of ${K} recorded, effective 2026-11-20.`);
    assert.match(await text(page, 'h1 + p'), /; term 2026-01-01 to 2027-12-31, active\. /);
    assert.deepEqual(await page.$$eval('#amendments li', (lis) => lis.map((li) => li.firstElementChild.textContent)),
      ['2026-01-01', '2026-07-01', '2026-11-20']);
    assert.match(await text(page, '#amendments li[data-seq="2"]'),
      /^2026-11-20 Amendment 2, Renewal 1, board approval 2026-11-18: a renewal option exercised: the term now ends 2027-12-31\. Recorded by web:admin@usd259\.ks\.example at /);
    assert.equal(await page.locator('#renew-form').count(), 0, 'no renewal option is left');
    const c = await (await fetch(`${srv.url}/api/v1/contracts/${K}`, { headers: { authorization: `Bearer ${api}` } })).json();
    assert.deepEqual([c.start, c.end, c.status, c.renewals, c.award.end, c.award.renewals],
      ['2026-01-01', '2027-12-31', 'active', { options: 0, years: 1 }, '2026-12-31', { options: 1, years: 1 }]);
    assert.deepEqual(c.amendments.map((a) => [a.seq, a.effective, a.changes]),
      [[1, '2026-07-01', { fee: { year: 'calendar', mode: 'graduated', bands: [{ from: '0.00', rate: '3%' }] } }],
        [2, '2026-11-20', { renew: true }]]);
    assert.deepEqual(page.errors, []);
  });

  let clerk;
  await step('a finance user invited by e-mail sets a password from the link and signs in', async () => {
    await page.goto(`${srv.url}/users`);
    assert.equal(await page.locator(`#users tr[data-email="${CLERK.email}"]`).count(), 0);
    await page.fill('#invite-user input[name=email]', CLERK.email);
    await page.selectOption('#invite-user select[name=role]', 'finance');
    await page.click('#invite-user button[type=submit]');
    await page.waitForLoadState('load');
    assert.equal(await text(page, '.notice'),
      `Done: Invited ${CLERK.email}: an e-mail with a link to set a password (valid 72 hours) is in the outbox.`);
    const row = await cells(page, `#users tr[data-email="${CLERK.email}"]`);
    assert.deepEqual([row[0], row[1], row[2], row[4]], [CLERK.email, 'finance', '', 'invited']);

    // whatever else the outbox holds, one message goes to the clerk: the invitation
    const mails = (await deliver()).filter((m) => m.to.value.some((a) => a.address === CLERK.email));
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.equal(mail.subject, 'You are invited to coopledger: set your password');
    const link = mail.text.match(/http:\S+\/password\?token=[\w-]+/)[0];
    assert.ok(link.startsWith(`${srv.url}/password?token=`), link);

    clerk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await clerk.goto(link);
    await clerk.fill('#set-password input[name=password]', CLERK.password);
    await clerk.fill('#set-password input[name=confirm]', CLERK.password);
    await clerk.click('#set-password button[type=submit]');
    await clerk.waitForLoadState('load');
    assert.match(clerk.url(), /\/login\?done=password$/);
    assert.equal(await text(clerk, '.notice'), 'Done: Your password is set: sign in with it.');
    await signIn(clerk, CLERK);
    assert.equal(new URL(clerk.url()).pathname, '/');
    assert.equal(await text(clerk, 'h1'), 'Dashboard');
    assert.equal(await text(clerk, '.who'), `${CLERK.email} (finance)`);
    assert.equal(await clerk.locator(`main a[href="/contracts/${K}"]`).count(), 1, 'the new contract is on the dashboard');
    assert.equal(await clerk.locator('.card', { has: clerk.locator(`a[href="/contracts/${K}"]`) })
      .locator('.label').innerText(), 'No volume rebates under this contract.', 'a contract without rebates says so');
    await clerk.goto(`${srv.url}/contracts/${K}`);
    assert.deepEqual(await cells(clerk, 'table.fees tr[data-quarter="2026-Q3"]').then((c) => c.slice(0, 3)),
      ['2026-Q3', '$1,234.56', '$37.03'], 'finance reads the same fees');
  });

  await step('the admin deactivates the finance user; their open session ends at its next request', async () => {
    await page.goto(`${srv.url}/users`);
    assert.equal((await cells(page, `#users tr[data-email="${CLERK.email}"]`))[4], 'active');
    const button = page.locator(`#users tr[data-email="${CLERK.email}"] button`);
    assert.equal(await button.textContent(), `Deactivate ${CLERK.email}`, 'the button names its row');
    await button.click();
    await page.waitForLoadState('load');
    assert.equal(await text(page, '.notice'), `Done: Deactivated ${CLERK.email}: their sessions and API tokens ended.`);
    assert.equal((await cells(page, `#users tr[data-email="${CLERK.email}"]`))[4], 'deactivated');
    assert.equal(await page.locator(`#users tr[data-email="${CLERK.email}"] button`).count(), 0);

    // the clerk's browser, still holding its session cookie, asks for a page
    await clerk.goto(`${srv.url}/contracts/${K}`);
    const at = new URL(clerk.url());
    assert.equal(at.pathname + at.search, `/login?next=/contracts/${K}`, 'the open session ended');
    assert.equal(await clerk.locator('input[name=password]').count(), 1);
    assert.equal(await clerk.locator('.who').count(), 0, 'nobody is signed in');
    await clerk.context().close();
    assert.deepEqual(page.errors, []);
  });
  await context.close();
});
