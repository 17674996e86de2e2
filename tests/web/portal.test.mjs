// The portals and staff pages against figures worked out from the demo
// database itself: the contract page's remittances with who recorded
// them, the rebates page's default contract and calendar years, the
// member portal's savings this year and overcharged lines, the agency
// page's header, the vendor portal's past-due amount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, session, cliJson, asOf } from './lib.mjs';

let demo, srv;
const s = {};

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  for (const role of ['admin', 'member', 'vendor']) s[role] = await session(srv.url, demo.users[role]);
});
after(async () => { await srv?.stop(); });

// Rows of a query on the demo database, as arrays of column texts.
function sql(query) {
  const out = execFileSync('sqlite3', ['-separator', '\t', demo.db, query], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

async function get(role, path) {
  const res = await fetch(srv.url + path, { headers: { cookie: s[role].cookie } });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.text();
}

const human = (cents) => (cents < 0 ? '-$' : '$') +
  (Math.abs(cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
const text = (html) => html.replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

test('the contract page lists the remittances with who recorded them', async () => {
  const rows = sql(`SELECT m.received, m.reference, m.amount, m.recorded_by FROM remittance m
    JOIN contract c ON c.id = m.contract_id WHERE c.number = 'KS-FURN-2025' AND m.reverses_id IS NULL
    ORDER BY m.received DESC, m.id DESC`);
  assert.ok(rows.length > 0, 'the demo has remittances');
  const html = await get('admin', '/contracts/KS-FURN-2025');
  const table = html.match(/<table id="contract-remittances">([\s\S]*?)<\/table>/);
  assert.ok(table, 'a remittances table on the contract page');
  const trs = table[1].split('<tr data-remittance').slice(1);
  assert.equal(trs.length, rows.length);
  const [received, reference, amount, by] = rows[0];
  const first = text(trs[0]);
  assert.ok(first.includes(received) && first.includes(reference) && first.includes(by), first);
  assert.ok(first.includes(human(Number(amount))), first);
  assert.match(first, /\bno\b/);
});

test('the rebates page opens on an active contract with a rebate schedule', async () => {
  const html = await get('admin', '/rebates');
  const sel = html.match(/<option value="([^"]+)" selected>/);
  assert.ok(sel, 'a contract is chosen');
  const [[status, schedule]] = sql(`SELECT status, json_extract(terms_json, '$.rebates') IS NOT NULL
    FROM contract WHERE number = '${sel[1]}'`);
  assert.equal(status, 'active');
  assert.equal(schedule, '1');
  assert.match(html, /id="rebate-total"/);
});

test('a calendar rebate schedule is chosen by calendar year, agencies named', async () => {
  const [[start, end]] = sql(`SELECT start_date, end_date FROM contract WHERE number = 'KS-OFFC-2025'
    AND json_extract(terms_json, '$.rebates.year') = 'calendar'`);
  const years = [];
  for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) years.push(String(y));
  const html = await get('admin', '/rebates?contract=KS-OFFC-2025');
  const select = html.match(/<select name="year"[^>]*>([\s\S]*?)<\/select>/);
  assert.ok(select, 'a year chooser');
  assert.deepEqual([...select[1].matchAll(/<option value="(\d+)"/g)].map((m) => m[1]), years);
  assert.match(html, /Calendar year 2026/);
  const [[code, name]] = sql(`SELECT a.code, a.name FROM live_purchase l JOIN agency a ON a.id = l.agency_id
    JOIN contract c ON c.id = l.contract_id WHERE c.number = 'KS-OFFC-2025'
    AND l.invoice_date BETWEEN '2026-01-01' AND '2026-12-31' ORDER BY a.code LIMIT 1`);
  const table = text(html.match(/<table id="allocations">([\s\S]*?)<\/table>/)[1]);
  assert.ok(table.includes(code) && table.includes(name), `${code} ${name} in ${table.slice(0, 200)}`);
});

test('the member portal says what the agency saved this year over all its contracts', async () => {
  const year = asOf.slice(0, 4);
  const [[saved]] = sql(`SELECT sum(l.list_amount - l.invoiced_amount) FROM live_purchase l
    JOIN agency a ON a.id = l.agency_id WHERE a.code = 'USD233'
    AND l.invoice_date BETWEEN '${year}-01-01' AND '${asOf}'`);
  const html = await get('member', '/');
  const m = html.match(/id="saved-this-year"[^>]*>([^<]+)</);
  assert.ok(m, 'a saved-this-year figure');
  assert.equal(m[1].trim(), human(Number(saved)));
});

test('each member card says what the agency saved in the contract year so far', async () => {
  const [[start, end]] = sql(`SELECT start_date, end_date FROM contract WHERE number = 'KS-FURN-2025'`);
  assert.ok(start <= asOf && asOf <= end, 'the contract is in its term');
  // the contract year of the as-of date starts on the award's month and
  // day in the as-of year, or the year before when that is still ahead
  let first = `${asOf.slice(0, 4)}${start.slice(4)}`;
  if (first > asOf) first = `${Number(asOf.slice(0, 4)) - 1}${start.slice(4)}`;
  const k = Number(first.slice(0, 4)) - Number(start.slice(0, 4)) + 1;
  const [[saved]] = sql(`SELECT coalesce(sum(l.list_amount - l.invoiced_amount), 0) FROM live_purchase l
    JOIN agency a ON a.id = l.agency_id JOIN contract c ON c.id = l.contract_id
    WHERE a.code = 'USD233' AND c.number = 'KS-FURN-2025'
    AND l.invoice_date BETWEEN '${first}' AND '${asOf}'`);
  const html = await get('member', '/');
  const section = html.match(/<section class="agency-contract" data-contract="KS-FURN-2025">([\s\S]*?)<\/section>/)[1];
  const card = section.match(/Saved in Contract year (\d+) \((\S+) to (\S+)\) so far<\/div><div class="big saved-contract-year">([^<]+)</);
  assert.ok(card, 'a contract-year savings card');
  assert.equal(Number(card[1]), k);
  assert.equal(card[2], first);
  assert.equal(card[4], human(Number(saved)));
  assert.ok(Number(saved) > 0, 'the demo member bought this contract year');
});

test('the member portal lists its own overcharged lines', async () => {
  const all = cliJson(demo.db, 'report', 'compliance', '--contract', 'KS-FURN-2025').lines;
  const mine = all.filter((l) => l.agency === 'USD233');
  const other = all.find((l) => l.agency !== 'USD233');
  assert.ok(mine.length > 0);
  const total = Math.round(mine.reduce((t, l) => t + Number(l.overcharge) * 100, 0));
  const html = await get('member', '/');
  const section = html.match(/<section class="agency-contract" data-contract="KS-FURN-2025">([\s\S]*?)<\/section>/)[1];
  const m = section.match(/class="overcharge-total"[^>]*>([^<]+)</);
  assert.ok(m, 'an overcharge total on the contract');
  assert.equal(m[1].trim(), human(total));
  assert.ok(section.includes(mine[mine.length - 1].invoice_number), 'the newest overcharged line');
  if (other && !mine.some((l) => l.invoice_number === other.invoice_number))
    assert.ok(!section.includes(other.invoice_number), 'no other agency\'s lines');
});

test('the member portal puts active contracts first and offers past quarters with purchases', async () => {
  const html = await get('member', '/');
  const order = [...html.matchAll(/<section class="agency-contract" data-contract="([^"]+)"/g)].map((m) => m[1]);
  const status = Object.fromEntries(sql(`SELECT number, status FROM contract`));
  const firstEnded = order.findIndex((c) => status[c] !== 'active');
  assert.ok(firstEnded > 0 && order.slice(firstEnded).every((c) => status[c] !== 'active'), order.join());
  const quarters = sql(`SELECT DISTINCT substr(l.invoice_date, 1, 4) || '-Q' ||
      ((CAST(substr(l.invoice_date, 6, 2) AS INTEGER) + 2) / 3) FROM live_purchase l
    JOIN agency a ON a.id = l.agency_id JOIN contract c ON c.id = l.contract_id
    WHERE a.code = 'USD233' AND c.number = 'KS-FURN-2022' ORDER BY 1 DESC`).map((r) => r[0]);
  const section = html.match(/data-contract="KS-FURN-2022">([\s\S]*?)<\/section>/)[1];
  const offered = [...section.matchAll(/<option value="(\d{4}-Q\d)"/g)].map((m) => m[1]);
  assert.deepEqual(offered, quarters);
});

test('the agency page header names the signed-in user, not the agency shown', async () => {
  const html = await get('admin', '/agencies/USD233');
  const who = text(html.match(/<span class="who">([\s\S]*?)<\/span>/)[1]).trim();
  assert.equal(who, `${demo.users.admin.email} (admin)`);
});

test('an ended contract offers agency statements only for quarters with purchases', async () => {
  const html = await get('admin', '/agencies/USD233');
  const section = html.match(/data-contract="KS-FURN-2022">([\s\S]*?)<\/section>/)[1];
  const quarters = new Set(sql(`SELECT DISTINCT substr(l.invoice_date, 1, 4) || '-Q' ||
      ((CAST(substr(l.invoice_date, 6, 2) AS INTEGER) + 2) / 3) FROM live_purchase l
    JOIN agency a ON a.id = l.agency_id JOIN contract c ON c.id = l.contract_id
    WHERE a.code = 'USD233' AND c.number = 'KS-FURN-2022'`).map((r) => r[0]));
  const offered = [...section.matchAll(/period=(\d{4}-Q\d)|<option value="(\d{4}-Q\d)"/g)].map((m) => m[1] || m[2]);
  assert.ok(offered.length > 0);
  for (const q of offered) assert.ok(quarters.has(q), `${q} has no purchases`);
});

test('the vendor portal says what is past due, with the late fee, apart from credits', async () => {
  // every quarter of the vendor's contracts, figured by the fee report
  const contracts = sql(`SELECT c.number FROM contract c JOIN vendor v ON v.id = c.vendor_id
    WHERE v.code = 'V-PRAIRIE' ORDER BY c.number`).map((r) => r[0]);
  for (const c of contracts) {
    const qs = cliJson(demo.db, 'report', 'fees', '--contract', c).quarters;
    const cents = (x) => Math.round(Number(x) * 100);
    const pastDue = qs.filter((q) => q.due_date < asOf && cents(q.balance) > 0);
    const remitted = Object.fromEntries(sql(`SELECT m.quarter, sum(m.amount) FROM live_remittance m
      JOIN contract k ON k.id = m.contract_id WHERE k.number = '${c}' GROUP BY 1`));
    const due = pastDue.reduce((t, q) => t + cents(q.fee) + cents(q.late_fee) - Number(remitted[q.quarter] || 0), 0);
    const late = pastDue.reduce((t, q) => t + cents(q.late_fee), 0);
    const credits = qs.filter((q) => cents(q.balance) < 0).reduce((t, q) => t - cents(q.balance), 0);
    const html = await get('vendor', '/');
    const card = html.match(new RegExp(`<section data-contract="${c}">([\\s\\S]*?)</section>`))[1];
    assert.doesNotMatch(card, /Balance owed/);
    const fig = (cls) => { const m = card.match(new RegExp(`class="${cls}"[^>]*>([^<]+)<`)); return m && m[1].trim(); };
    assert.equal(fig('past-due'), human(due), `${c} past due`);
    assert.equal(fig('past-due-late-fee'), human(late), `${c} late fees`);
    assert.equal(fig('credits'), human(credits), `${c} credits`);
  }
});

test('the dashboard shows credits apart and says they are not netted, agreeing with the fee reports', async () => {
  const cents = (x) => Math.round(Number(x) * 100);
  let overdue = 0, credits = 0;
  for (const [c] of sql('SELECT number FROM contract ORDER BY number')) {
    for (const q of cliJson(demo.db, 'report', 'fees', '--contract', c).quarters) {
      if (q.status === 'overdue') overdue += cents(q.balance);
      if (q.status === 'overpaid') credits -= cents(q.balance);
    }
  }
  const html = await get('admin', '/');
  const fig = (id) => html.match(new RegExp(`id="${id}"[^>]*>([^<]+)<`))?.[1].trim();
  assert.equal(fig('overdue'), human(overdue));
  assert.equal(fig('credits'), human(credits));
  assert.match(text(html.match(/id="credits-note"[^>]*>([\s\S]*?)<\/p>/)?.[1] || ''), /not netted/);
});

test('a fee statement past its due date says it is overdue and names the late fee', async () => {
  const q = cliJson(demo.db, 'report', 'fees', '--contract', 'KS-FURN-2025', '--period', '2026-Q3').quarters[0];
  assert.equal(q.status, 'overdue');
  const res = await fetch(`${srv.url}/contracts/KS-FURN-2025/fee-statement?period=2026-Q3`,
    { headers: { cookie: s.vendor.cookie } });
  assert.equal(res.status, 200);
  const pdf = Buffer.from(await res.arrayBuffer());
  const out = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.doesNotMatch(out, new RegExp(`Pay \\S+ by ${q.due_date}`));
  const late = human(Math.round(Number(q.late_fee) * 100));
  assert.match(out, /Overdue/);
  assert.ok(out.includes(`late fee of ${late}`), out.slice(out.indexOf('Where to remit'), out.indexOf('Where to remit') + 300));
  assert.ok(out.includes(`${q.days_past_due} days`));
});

test('rebate years are labelled the same way on the member cards, the contract page and the dashboard', async () => {
  // the contract year holding today, from the contract's start date
  const [[start]] = sql(`SELECT start_date FROM contract WHERE number = 'KS-FURN-2025'`);
  const s0 = Number(start.slice(0, 4));
  let k = Number(asOf.slice(0, 4)) - s0 + (asOf.slice(5) >= start.slice(5) ? 1 : 0);
  const from = `${s0 + k - 1}${start.slice(4)}`;
  const d = new Date(`${s0 + k}${start.slice(4)}T00:00:00Z`); d.setUTCDate(d.getUTCDate() - 1);
  const contractYear = `Contract year ${k} (${from} to ${d.toISOString().slice(0, 10)})`;
  const calendarYear = `Calendar year ${asOf.slice(0, 4)}`;
  const member = text(await get('member', '/'));
  assert.ok(member.includes(contractYear), contractYear);
  assert.ok(member.includes(calendarYear), calendarYear);
  assert.ok(text(await get('admin', '/contracts/KS-FURN-2025')).includes(contractYear));
  assert.ok(text(await get('admin', '/contracts/KS-OFFC-2025')).includes(calendarYear));
  const dash = text(await get('admin', '/'));
  assert.ok(dash.includes(contractYear) && dash.includes(calendarYear));
});
