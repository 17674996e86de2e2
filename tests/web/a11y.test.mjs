// Pages for everyone: every page each role can reach, on a desk screen and on
// a phone, checked with axe-core against WCAG 2.1 A and AA, and for sideways
// scrolling.  Public agencies are bound to WCAG 2.1 AA; staff and members
// use phones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { demoDatabase, startServer, cli, root, launchChromium } from './lib.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const artifacts = join(root, 'tests', 'artifacts');
const C = 'KS-FURN-2025';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WIDTHS = [1280, 390];
const HEIGHT = { 1280: 900, 390: 844 };
// not pages: signing out, downloads (CSV, PDF statements), assets, the API
const SKIP = /^\/logout|\.(csv|xlsx|pdf)$|\/statements\/|\/fee-statement$|^\/static\/|^\/api\//;
// a value with no place to break: it must wrap, not widen the page
const LONG = 'ErgonomicTaskChairWithAdjustableLumbarSupport'.repeat(8) + 'SKU00000000000000000000';

let demo, srv, browser;
const report = { pages: {}, violations: [], widths: [] };

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = demoDatabase();
  const file = join(demo.dir, 'long-2026-Q4.csv');
  writeFileSync(file, 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount,description\n' +
    `USD233,PO-LONG-1,INV-LONG-1,2026-11-20,500.00,200.00,${LONG}\n`);
  cli(demo.db, 'import', '--contract', C, file);
  // a member's purchase register, so that the Completeness page (linked
  // from the contract page) has POs, a chart and its table to check
  const register = join(demo.dir, 'register.csv');
  writeFileSync(register, 'agency_code,po_number,po_date,amount\n' +
    'USD233,PO-REG-1,2026-02-10,1200.00\nUSD233,PO-REG-2,2026-04-20,350.00\n');
  cli(demo.db, 'register', 'import', '--contract', C, register);
  // documents, so that the contract page's Documents table is checked too
  const docs = join(root, 'tests', 'data', 'documents');
  cli(demo.db, 'document', 'add', '--contract', C, '--kind', 'award', '--title', 'Award of ' + C,
    '--public', join(docs, 'award.pdf'));
  cli(demo.db, 'document', 'add', '--contract', C, '--kind', 'price_list', '--title', LONG.slice(0, 200),
    join(docs, 'price-list.pdf'));
  srv = await startServer(demo.db);
  browser = await launchChromium();
});

after(async () => {
  writeFileSync(join(artifacts, 'a11y-report.json'), JSON.stringify(report, null, 1));
  await browser?.close();
  await srv?.stop();
});

// One entry per kind of page: an id in the path and the page number do not
// make a new page, a different set of filters does.
function kindOf(href) {
  const u = new URL(href);
  const path = u.pathname.replace(/^\/(contracts|agencies|vendors)\/(?!new$)[^/]+$/, '/$1/:id');
  const keys = [...new Set(u.searchParams.keys())].filter((k) => k !== 'page').sort();
  return path + (keys.length ? '?' + keys.join('&') : '');
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: HEIGHT[1280] } });
  await context.addInitScript({ content: axeSource });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

// axe-core and the page's width at the current viewport; every problem is
// added to problems as one line.
async function check(page, who, width, problems, note = '') {
  const where = new URL(page.url());
  const at = where.pathname + where.search + note;
  const label = `${who} ${width}px ${at}`;
  const found = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, TAGS);
  for (const p of await page.evaluate(ownChecks)) problems.push(`${label}: ${p}`);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  report.widths.push({ who, width, page: at, scrollWidth });
  for (const v of found) {
    report.violations.push({ who, width, page: at, ...v });
    problems.push(`${label}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.slice(0, 8).join(' | ')}` +
      (v.targets.length > 8 ? ` … and ${v.targets.length - 8} more` : ''));
  }
  if (scrollWidth > width) problems.push(`${label}: the page is ${scrollWidth}px wide (scrolls sideways)`);
}

// What axe-core lets pass but people need: a placeholder is not a label;
// buttons and links repeated on a page (one a row) say which row they act
// on; a chart has axes with values, a legend, legible labels and its
// figures as a table.  Runs in the page; returns one line a problem.
function ownChecks() {
  const out = [];
  const unlabelled = new Map();
  const shown = (el) => el.getClientRects().length > 0;
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
    return el.textContent;
  };
  const clean = (s) => s.replace(/\s+/g, ' ').trim();
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || !shown(el)) continue;
    const label = [...(el.labels || [])].map((l) => l.textContent).join(' ') + ' ' +
      (el.getAttribute('aria-label') || '') + ' ' +
      (el.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => id && document.getElementById(id)?.textContent).join(' ');
    const what = `${el.tagName.toLowerCase()} name=${el.name} (placeholder "${el.placeholder || ''}")`;
    if (!clean(label)) unlabelled.set(what, (unlabelled.get(what) || 0) + 1);
  }
  for (const [what, n] of unlabelled) out.push(`${n} unlabelled ${what}`);
  const groups = new Map();
  for (const el of document.querySelectorAll('main button, main a[href]')) {
    if (!shown(el)) continue;
    const name = clean(nameOf(el));
    const target = el.tagName === 'A' ? el.href.replace(/#.*/, '') :
      `${el.form?.action || ''} ${el.name}=${el.value}`;
    const key = `${el.tagName.toLowerCase()} "${name}"`;
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key).add(target);
  }
  for (const [key, targets] of groups)
    if (targets.size > 1) out.push(`${targets.size} ${key.split(' ')[0]}s named ${key.slice(key.indexOf(' ') + 1)} do different things`);
  for (const svg of document.querySelectorAll('svg.chart')) {
    const what = `chart "${svg.getAttribute('aria-label')}"`;
    const fig = svg.closest('figure');
    if (!fig?.querySelector('details table')) out.push(`${what}: no table of its figures in a <details>`);
    const legend = fig?.querySelector('.legend');
    if (!legend || !shown(legend) || !clean(legend.textContent)) out.push(`${what}: no visible legend`);
    for (const axis of ['x-axis', 'y-axis'])
      if ([...svg.querySelectorAll(`.${axis} text`)].filter(shown).length < 2) out.push(`${what}: no labelled ${axis}`);
    // the value axis reads off values between $0 and the top, each level
    // with its grid line
    const ticks = [...svg.querySelectorAll('.y-axis text')].filter(shown);
    if (ticks.length < 3) out.push(`${what}: the value axis has no labelled values between its ends`);
    const grid = new Set([...svg.querySelectorAll('.gridlines line')].map((l) => l.getAttribute('y1')));
    for (const t of ticks)
      if (t.textContent !== '$0' && !grid.has(t.getAttribute('y'))) out.push(`${what}: value ${t.textContent} has no grid line`);
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    let smallest = Infinity;
    for (const t of svg.querySelectorAll('text'))
      if (shown(t)) smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    if (smallest < 12) out.push(`${what}: labels drawn at ${smallest.toFixed(1)}px, under 12px`);
  }
  return out;
}

// Check the page as loaded at both widths, leaving the viewport at 1280.
async function checkBothWidths(page, who, problems, shot, note) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT[width] });
    await check(page, who, width, problems, note);
    if (shot) await page.screenshot({ path: join(artifacts, `${shot}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: HEIGHT[1280] });
}

async function signIn(page, role) {
  await page.goto(`${srv.url}/login`);
  await page.fill('input[name=email]', demo.users[role].email);
  await page.fill('input[name=password]', demo.users[role].password);
  await page.click('button[type=submit]');
  await page.waitForLoadState('load');
  assert.doesNotMatch(page.url(), /\/login/, `${role} signed in`);
}

const SHOTS = {
  admin: { '/': 'dashboard', '/reconciliation': 'reconciliation', '/purchases': 'purchases',
    [`/contracts/${C}/completeness`]: 'completeness' },
  member: { '/': 'member' },
};
// Start pages with the most on them, then pages that are not there (the
// error page); the crawl adds what the links lead to.
const SEEDS = {
  admin: ['/', `/contracts/${C}`, '/agencies/USD233', `/imports?contract=${C}`, `/rebates?contract=${C}`,
    '/purchases?po=PO-LONG-1', '/contracts/new', `/contracts/${C}/amend`, '/vendors', '/vendors/V-PRAIRIE',
    '/contracts/NO-SUCH-1',
    '/no-such-page'],
  finance: ['/', `/contracts/${C}`, `/imports?contract=${C}`, '/vendors', '/vendors/V-PRAIRIE', '/no-such-page'],
  member: ['/', `/contracts/${C}`, '/agencies/USD233', '/purchases?po=PO-LONG-1', '/agencies/USD259', '/no-such-page'],
  vendor: ['/', `/contracts/${C}`, `/imports?contract=${C}`, '/contracts/NO-SUCH-1', '/no-such-page'],
};

// Every page the role reaches from its start page by links, once per kind.
async function crawl(page, role, problems) {
  const queue = SEEDS[role].map((p) => srv.url + p);
  const seen = new Set();
  const visited = [];
  while (queue.length) {
    const href = queue.shift();
    const u = new URL(href);
    const kind = kindOf(href);
    if (seen.has(kind) || u.origin !== srv.url || SKIP.test(u.pathname)) continue;
    const res = await page.goto(href);
    const type = res.headers()['content-type'] || '';
    // an error page is checked once a status; it does not stand for its kind
    const as = res.status() >= 400 ? `error ${res.status()}` : kind;
    if (seen.has(as)) continue;
    seen.add(as);
    if (!type.startsWith('text/html')) continue;
    visited.push(`${u.pathname}${u.search} (${res.status()})`);
    await checkBothWidths(page, role, problems, SHOTS[role]?.[u.pathname + u.search]);
    for (const next of await page.$$eval('a[href]', (as) => as.map((a) => a.href))) {
      const n = new URL(next);
      n.hash = '';
      if (n.origin === srv.url && !seen.has(kindOf(n.href))) queue.push(n.href);
    }
  }
  report.pages[role] = visited;
  return visited;
}

// A form sent: the page that answers shows a banner, and focus is on it.
async function expectBannerFocused(page, id, problems, who) {
  const focused = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  if (focused !== id) problems.push(`${who} ${page.url()}: focus is on ${focused}, not the #${id} banner`);
}

// A token made and revoked: the tokens page with the new token, then with
// the "Token revoked." notice.
async function tokenForms(page, role, problems) {
  await page.goto(`${srv.url}/tokens`);
  await page.fill('#add-token input[name=name]', `a11y-${role}`);
  await page.click('#add-token button[type=submit]');
  await page.waitForSelector('#new-token');
  await checkBothWidths(page, role, problems, undefined, ' (token made)');
  const row = page.locator('#tokens tr', { hasText: `a11y-${role}` });
  await row.locator('button[type=submit]').click();
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /Token revoked/);
  await expectBannerFocused(page, 'notice', problems, role);
  await checkBothWidths(page, role, problems);
}

// The result of checking an upload with a bad row: counts, errors, banner.
async function uploadCheck(page, role, problems) {
  const file = join(demo.dir, `bad-${role}.csv`);
  writeFileSync(file, 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
    'USD233,PO-A1,INV-A1,2026-10-07,1000.00,400.00\nUSD233,PO-A2,INV-A2,2026-02-30,50.00,20.00\n');
  await page.goto(`${srv.url}/imports`);
  await page.selectOption('select[name=contract]', C);
  await page.fill('input[name=period]', '2026-Q4');
  await page.setInputFiles('input[name=file]', file);
  await page.click('button[value=check]');
  await page.waitForSelector('#outcome');
  await expectBannerFocused(page, 'outcome', problems, role);
  await checkBothWidths(page, role, problems, undefined, ' (upload checked)');
}

// A purchase register sent (member: its own; admin: for an agency): the
// result with a bad row in the alert, then a good file, and the registers
// page with its batch (and, for the member, its POs' statuses).
async function registerUpload(page, role, problems) {
  const bad = join(demo.dir, `register-bad-${role}.csv`), good = join(demo.dir, `register-${role}.csv`);
  writeFileSync(bad, `po_number,po_date,amount,description\nA11Y-${role}-1,2026-02-30,10.00,${LONG}\n`);
  writeFileSync(good, `po_number,po_date,amount,description\nA11Y-${role}-2,2026-03-02,10.00,${LONG}\n`);
  for (const file of [bad, good]) {
    await page.goto(`${srv.url}/contracts/${C}/registers`);
    if (role !== 'member') await page.selectOption('#register-upload select[name=agency]', 'USD233');
    await page.setInputFiles('#register-upload input[name=file]', file);
    await page.click('#register-upload button[type=submit]');
    await page.waitForSelector('#outcome');
    await expectBannerFocused(page, 'outcome', problems, role);
    await checkBothWidths(page, role, problems, undefined, file === bad ? ' (register refused)' : ' (register sent)');
  }
  await page.goto(`${srv.url}/contracts/${C}/registers`);
  await checkBothWidths(page, role, problems, undefined, ' (with a register batch)');
}

// The new-contract form sent with mistakes: the banner, the fields to fix
// and the messages beside them; a row added by the page's script.
async function contractFormCheck(page, role, problems) {
  await page.goto(`${srv.url}/contracts/new`);
  await page.click('button:text("Add a fee band")');
  await page.fill('#f-number', 'KS-A11Y-1');
  await page.fill('#f-title', LONG);
  await page.selectOption('#f-lead_agency', 'USD259');
  await page.selectOption('#f-vendor', 'V-PRAIRIE');
  await page.fill('#f-start', '2026-07-01');
  await page.fill('#f-end', '2026-06-30');
  await page.fill('#f-fee_rate_0', '2%');
  await page.fill('#f-fee_from_5', '10000');
  await page.fill('#f-fee_rate_5', LONG);
  await page.fill('#f-renew_options', 'two');
  await page.click('button:text("Create contract")');
  await page.waitForSelector('#form-error');
  await expectBannerFocused(page, 'form-error', problems, role);
  await checkBothWidths(page, role, problems, 'contract-form-errors', ' (new contract refused)');
}

// The vendor page with a sample read for mapping, then with a refused
// mapping (a column chosen twice) marked at its menu.
async function vendorSample(page, problems) {
  const file = join(demo.dir, 'vendor-sample.csv');
  writeFileSync(file, 'Cust No,PO,Inv #,Inv Dt,Ext List,Net Amt\n' +
    `USD233,PO-S1,INV-S1,10/07/2026,1000.00,400.00\nUSD233,PO-S2,INV-S2,10/08/2026,${LONG},20.00\n`);
  await page.goto(`${srv.url}/vendors/V-PRAIRIE`);
  await page.setInputFiles('#sample-upload input[name=file]', file);
  await page.click('#sample-upload button[type=submit]');
  await page.waitForSelector('#sample-columns');
  await checkBothWidths(page, 'admin', problems, undefined, ' (sample read)');
  for (const [i, c] of ['agency_code', 'po_number', 'invoice_number', 'invoice_date', 'list_amount'].entries())
    await page.selectOption(`#map-form select[name=col_${i}]`, c);
  await page.selectOption('#map-form select[name=col_5]', 'list_amount');
  await page.click('#map-form button[type=submit]');
  await page.waitForSelector('#form-error');
  await checkBothWidths(page, 'admin', problems, undefined, ' (mapping refused)');
  await page.selectOption('#map-form select[name=col_5]', 'invoiced_amount');
  await page.click('#map-form button[type=submit]');
  await page.waitForSelector('#check-outcome');
  await checkBothWidths(page, 'admin', problems, undefined, ' (sample checked)');
}

// The agency and participant forms refused (admin): each wrong field's
// message beside it, at both widths; the agency's change form and a
// contact's form opened.
async function recordForms(page, role, problems) {
  await page.goto(`${srv.url}/agencies`);
  await page.fill('#add-agency input[name=code]', 'A11Y 1');
  await page.fill('#add-agency input[name=name]', LONG);
  await page.selectOption('#add-agency select[name=kind]', 'city');
  await page.fill('#add-agency input[name=state]', 'Kansas');
  await page.click('#add-agency button[type=submit]');
  await page.waitForSelector('#agency-code-error');
  await expectBannerFocused(page, 'form-error', problems, role);
  await checkBothWidths(page, role, problems, undefined, ' (agency refused)');
  await page.goto(`${srv.url}/agencies/USD233`);
  await page.fill('#add-contact input[name=name]', 'A11y Contact');
  await page.fill('#add-contact input[name=email]', 'a11y@usd233.example');
  await page.click('#add-contact button[type=submit]');
  await page.waitForSelector('#notice');
  await page.fill('#add-contact input[name=name]', 'Second');
  await page.fill('#add-contact input[name=email]', 'a11y@usd233.example');
  await page.click('#add-contact button[type=submit]');
  await page.waitForSelector('#contact_new-email-error');
  await page.click('#edit-agency summary');
  for (const s of await page.$$('details.contact summary')) await s.click();
  await checkBothWidths(page, role, problems, undefined, ' (contact refused, forms open)');
  await page.goto(`${srv.url}/contracts/${C}`);
  await page.fill('#enroll textarea[name=agencies]', 'NO-SUCH-1');
  await page.fill('#enroll input[name=joined]', '2026-11-02');
  await page.click('#enroll button[type=submit]');
  await page.waitForSelector('#enroll-agencies-error');
  await checkBothWidths(page, role, problems, undefined, ' (enrollment refused)');
}

// The admin's invitation refused beside its field, and the account page's
// new password refused beside its confirmation.
async function accountForms(page, role, problems) {
  await page.goto(`${srv.url}/users`);
  await page.fill('#invite-user input[name=email]', 'a11y.member@usd259.ks.example');
  await page.selectOption('#invite-user select[name=role]', 'member');
  await page.click('#invite-user button[type=submit]');
  await page.waitForSelector('#invite-error');
  await checkBothWidths(page, role, problems, undefined, ' (invitation refused)');
  await page.goto(`${srv.url}/account`);
  await page.fill('#change-password input[name=current]', 'whatever it is');
  await page.fill('#change-password input[name=password]', 'long enough secret');
  await page.fill('#change-password input[name=confirm]', 'not the same one');
  await page.click('#change-password button[type=submit]');
  await page.waitForSelector('#confirm-error');
  await checkBothWidths(page, role, problems, undefined, ' (password refused)');
}

function verdict(t, role, visited, problems, page) {
  t.diagnostic(`${role}: ${visited.length} pages at ${WIDTHS.join(' and ')} px: ${visited.join(', ')}`);
  assert.deepEqual(page.errors, [], `${role}: script errors`);
  assert.equal(problems.length, 0, `${problems.length} problems for ${role}:\n${problems.join('\n')}`);
}

// The pages of a forgotten password and of a set-password link, each with
// its refusal: the link is the one an invitation's e-mail carries.
async function passwordPages(page, problems) {
  await page.click('text=Forgot your password?');
  await checkBothWidths(page, 'anonymous', problems);
  await page.evaluate(() => { document.querySelector('#forgot').noValidate = true; });
  await page.click('#forgot button[type=submit]');
  await page.waitForSelector('#email-error');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (no address)');
  await page.fill('#forgot input[name=email]', 'someone@usd259.ks.example');
  await page.click('#forgot button[type=submit]');
  await page.waitForSelector('.notice');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (sent)');
  process.env.COOPLEDGER_MAIL_DIR = join(demo.dir, 'mail-a11y');
  process.env.COOPLEDGER_BASE_URL = srv.url;
  cli(demo.db, 'user', 'invite', '--email', 'a11y.invited@usd259.ks.example', '--role', 'finance');
  cli(demo.db, 'notices', 'send');
  const [eml] = readdirSync(process.env.COOPLEDGER_MAIL_DIR);
  const mail = await simpleParser(readFileSync(join(process.env.COOPLEDGER_MAIL_DIR, eml)));
  await page.goto(mail.text.match(/http:\S+\/password\?token=[\w-]+/)[0]);
  await checkBothWidths(page, 'anonymous', problems);
  await page.fill('#set-password input[name=password]', 'long enough secret');
  await page.fill('#set-password input[name=confirm]', 'not the same one');
  await page.click('#set-password button[type=submit]');
  await page.waitForSelector('#confirm-error');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (refused)');
  await page.goto(`${srv.url}/password?token=not-a-link`);
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (bad link)');
  return ['/password-reset', '/password-reset (no address)', '/password-reset (sent)', '/password?token=',
    '/password (refused)', '/password (bad link)'];
}

// The public catalog, reached from the sign-in page's header: the list, a
// search that finds nothing, a refused search and a contract's page.
async function catalogPages(page, problems) {
  await page.goto(`${srv.url}/login`);
  await page.click('header nav >> text=Catalog');
  await page.waitForSelector('#catalog');
  await checkBothWidths(page, 'anonymous', problems);
  await page.fill('#catalog-q', 'no such words');
  await page.click('form.catalog-search button[type=submit]');
  await page.waitForSelector('#catalog-none');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (no match)');
  await page.goto(`${srv.url}/catalog?q=${'w '.repeat(17)}`);
  await page.waitForSelector('.error');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (refused)');
  await page.goto(`${srv.url}/catalog`);
  await page.click(`#catalog a:text("${C}")`);
  await page.waitForSelector('#discounts');
  await checkBothWidths(page, 'anonymous', problems);
  return ['/catalog', '/catalog (no match)', '/catalog (refused)', `/catalog/${C}`];
}

// The public join form of a contract: empty, refused with a message beside
// each wrong field, and the thank-you page; the request it leaves gives
// the staff queue (admin's crawl) a pending request with its forms.
async function joinPages(page, problems) {
  await page.goto(`${srv.url}/catalog/${C}/join`);
  await checkBothWidths(page, 'anonymous', problems);
  await page.evaluate(() => { document.querySelector('#join-form').noValidate = true; });
  await page.fill('#f-agency_name', LONG);
  await page.fill('#f-state', 'Kansas');
  await page.click('#join-form button[type=submit]');
  await page.waitForSelector('#e-state');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (refused)');
  await page.fill('#f-agency_name', 'Salina Public Schools');
  await page.fill('#f-state', 'KS');
  await page.fill('#f-contact_name', 'Pat Buyer');
  await page.fill('#f-email', 'pat.buyer@usd305.ks.example');
  await page.check('input[name=public_entity]');
  await page.click('#join-form button[type=submit]');
  await page.waitForSelector('.notice');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (sent)');
  return [`/catalog/${C}/join`, `/catalog/${C}/join (refused)`, `/catalog/${C}/join (sent)`];
}

test('the sign-in page, and a sign-in that fails', async (t) => {
  const page = await newPage();
  const problems = [];
  await page.goto(`${srv.url}/login`);
  await checkBothWidths(page, 'anonymous', problems);
  await page.fill('input[name=email]', 'nobody@example.org');
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  await checkBothWidths(page, 'anonymous', problems, undefined, ' (failed)');
  report.pages.anonymous = ['/login', '/login (failed)', ...await passwordPages(page, problems),
    ...await catalogPages(page, problems), ...await joinPages(page, problems)];
  verdict(t, 'anonymous', report.pages.anonymous, problems, page);
  await page.context().close();
});

for (const role of ['admin', 'finance', 'member', 'vendor']) {
  test(`${role}: every reachable page meets WCAG 2.1 AA and fits a phone`, async (t) => {
    const page = await newPage();
    const problems = [];
    await signIn(page, role);
    // the skip link is the first thing a keyboard reaches, and it works
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(),
      href: document.activeElement.getAttribute('href') }));
    if (first.text !== 'Skip to main content' || first.href !== '#main')
      problems.push(`${role}: the first Tab reaches ${JSON.stringify(first)}, not the skip link`);
    else {
      await page.keyboard.press('Enter');
      const at = await page.evaluate(() => document.activeElement.id);
      if (at !== 'main') problems.push(`${role}: the skip link moves focus to #${at}, not #main`);
    }
    const visited = await crawl(page, role, problems);
    await tokenForms(page, role, problems);
    if (role === 'admin' || role === 'vendor') await uploadCheck(page, role, problems);
    if (role === 'admin' || role === 'member') await registerUpload(page, role, problems);
    if (role === 'admin') await contractFormCheck(page, role, problems);
    if (role === 'admin') await vendorSample(page, problems);
    if (role === 'admin') await recordForms(page, role, problems);
    if (role === 'admin') await accountForms(page, role, problems);
    verdict(t, role, visited, problems, page);
    await page.context().close();
  });
}
