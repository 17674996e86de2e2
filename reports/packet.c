/*
 * packet.c — the due-diligence packet (pdf_packet): the facts a member
 * files to justify its use of a cooperative contract, on one page where
 * the amendments and quarters allow.
 */
#include "packet_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "layout.h"

#define FACT_X (LAY_LEFT + 150)

/* "label   value" with the value wrapped from FACT_X. */
static void fact(Layout *L, const char *label, const char *value)
{
	double y;

	lay_need(L, 12);
	y = L->y;
	pdfdoc_text(L->d, LAY_LEFT, y, 1, 9, label);
	lay_wrap(L, FACT_X, LAY_RIGHT - FACT_X, 0, 9, value);
	if (L->y > y - 12)
		L->y = y - 12;
}

/* A schedule in words: "2% from $0.00, 1.5% from $300,000.00".  Into b. */
static int schedule_words(Buf *b, const Schedule *s, const char *of)
{
	char rate[MONEY_BUF], from[MONEY_BUF];
	int i, bad = 0;

	for (i = 0; i < s->nband; i++)
		bad |= (int)buf_printf(
			b, "%s%s from %s%s", i ? ", " : "", rate_format(s->band[i].rate, rate),
			money_format_human(s->band[i].from, from), i == s->nband - 1 ? of : "");
	return bad;
}

static void draw_terms(Layout *L, const Packet *p)
{
	const Terms *t = p->now;
	char a[DATE_BUF], b2[DATE_BUF], line[256], m[MONEY_BUF], r[MONEY_BUF];
	int bad = 0; /* a full buffer draws the words that fit */
	Buf b;

	lay_heading(L, "Terms in force today");
	if (t->renew_options)
		snprintf(line, sizeof line, "%s to %s; %d renewal option%s of %d year%s left",
			 date_format(t->start, a), date_format(t->end, b2), t->renew_options,
			 t->renew_options == 1 ? "" : "s", t->renew_years,
			 t->renew_years == 1 ? "" : "s");
	else
		snprintf(line, sizeof line, "%s to %s; no renewal options left",
			 date_format(t->start, a), date_format(t->end, b2));
	fact(L, "Term", line);
	if (t->discounts.present) {
		buf_init(&b, 4096);
		bad |= schedule_words(&b, &t->discounts, " of an order's list");
		bad |= (int)buf_puts(&b, ", off list on the whole order");
		fact(L, "Price discounts", b.data ? b.data : "");
		buf_free(&b);
	}
	buf_init(&b, 4096);
	bad |= (int)buf_printf(&b, "%s, ", t->fee.mode == SCHED_VOLUME ? "volume" : "graduated");
	bad |= schedule_words(&b, &t->fee, "");
	bad |= (int)buf_printf(&b, " of net sales, paid by the vendor");
	fact(L, "Administrative fee", b.data ? b.data : "");
	buf_free(&b);
	if (t->rebates.present) {
		buf_init(&b, 4096);
		bad |= schedule_words(&b, &t->rebates, "");
		bad |= (int)buf_puts(&b,
				     " of contract-wide purchases in a year, shared by members");
		fact(L, "Volume rebates", b.data ? b.data : "");
		buf_free(&b);
	}
	snprintf(line, sizeof line, "%d days after each quarter", t->due_days);
	fact(L, "Fee due", line);
	if (t->has_late_fee) {
		snprintf(line, sizeof line, "the greater of %s or %s of the unpaid fee",
			 money_format_human(t->late_fee_min, m), rate_format(t->late_fee_rate, r));
		fact(L, "Late fee", line);
	}
	(void)bad;
}

static void draw_eligibility(Layout *L, const Packet *p)
{
	static const LayCol cols[] = {{"Rule (public agency clause)", 300, 0}, {"Outcome", 216, 0}};
	char a[DATE_BUF], b[DATE_BUF], joined[96], term[96];
	const char *row[2];

	lay_heading(L, "Eligibility");
	lay_table_begin(L, cols, 2);
	row[0] = "The member is a public entity";
	row[1] = p->public_entity ? "Yes" : "No";
	lay_table_row(L, row, 0);
	snprintf(joined, sizeof joined, "%s: joined the contract on %s",
		 p->joined <= p->today ? "Yes" : "Not yet", date_format(p->joined, a));
	row[0] = "The member is a participant of the contract";
	row[1] = joined;
	lay_table_row(L, row, 0);
	snprintf(term, sizeof term, "%s: %s to %s", p->in_term ? "Yes" : "No",
		 date_format(p->now->start, a), date_format(p->now->end, b));
	row[0] = "Today lies within the term in force";
	row[1] = term;
	lay_table_row(L, row, 0);
	row[0] = "The contract is not terminated";
	row[1] = p->terminated ? "No: terminated" : "Yes";
	lay_table_row(L, row, 0);
	lay_table_end(L);
}

static ClCode draw_amendments(Layout *L, const Packet *p, ChangeWords words, Err *e)
{
	static const LayCol base[] = {{"No.", 28, 0},
				      {"Effective", 62, 0},
				      {"Reference", 200, 0},
				      {"What changed", 226, 0}};
	char seq[16], day[DATE_BUF];
	const char *row[4];
	int i;

	lay_heading(L, "Amendments");
	if (!p->h.n) {
		lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9,
			 "None: the terms are those of the award.");
		return CL_OK;
	}
	lay_table_begin(L, base, 4);
	for (i = 0; i < p->h.n; i++) {
		const Amendment *a = &p->h.amend[i];
		char *w = words(a->changes, p->h.ver[i + 1].end);

		if (!w)
			return err_set(e, CL_ENOMEM, "out of memory");
		snprintf(seq, sizeof seq, "%d", a->seq);
		row[0] = seq;
		row[1] = date_format(a->effective, day);
		row[2] = a->reference;
		row[3] = w;
		lay_table_row(L, row, 0);
		free(w);
	}
	lay_table_end(L);
	return CL_OK;
}

static void draw_purchases(Layout *L, const Packet *p)
{
	static const LayCol base[] = {
		{"Quarter", 120, 0}, {"Lines", 80, 1}, {"Net purchases", 120, 1}};
	char q[QUARTER_BUF], n[24], m[MONEY_BUF], title[64], day[DATE_BUF];
	const char *row[3];
	int i, lines = 0;

	snprintf(title, sizeof title, "Purchases to date (to %s)", date_format(p->today, day));
	lay_heading(L, title);
	if (!p->nquarter) {
		lay_wrap(L, LAY_LEFT, LAY_RIGHT - LAY_LEFT, 0, 9,
			 "No purchases under this contract yet.");
		return;
	}
	lay_table_begin(L, base, 3);
	for (i = 0; i < p->nquarter; i++) {
		snprintf(n, sizeof n, "%d", p->quarter[i].lines);
		lines += p->quarter[i].lines;
		row[0] = quarter_format(p->quarter[i].q, q);
		row[1] = n;
		row[2] = lay_money(p->quarter[i].net, m);
		lay_table_row(L, row, 0);
	}
	snprintf(n, sizeof n, "%d", lines);
	row[0] = "Total";
	row[1] = n;
	row[2] = lay_money(p->total, m);
	lay_table_row(L, row, 1);
	lay_table_end(L);
}

static ClCode packet_draw(PdfDoc *d, const Packet *p, ChangeWords words, Err *e)
{
	const Terms *aw = &p->h.ver[0];
	char running[512], sub[1024], name[320], foot[256], day[DATE_BUF], line[400];
	Layout L;
	ClCode rc;

	snprintf(running, sizeof running, "Due-diligence packet — %s — %s (continued)",
		 p->member.name, aw->number);
	lay_begin(&L, d, running);
	snprintf(sub, sizeof sub, "Contract %s — %s. Prepared for %s as of %s.", aw->number,
		 aw->title, p->member.name, date_format(p->today, day));
	lay_letterhead(&L, p->lead.name, p->lead.address, "Due-diligence packet", sub);
	snprintf(name, sizeof name, "%s (%s)", p->member.name, p->member.code);
	lay_addresses(&L, "MEMBER", name, p->member.address, "VENDOR", p->vendor.name,
		      p->vendor.address);
	lay_heading(&L, "Solicitation and award");
	fact(&L, "Contract", aw->number);
	fact(&L, "Title", aw->title);
	fact(&L, "Category", aw->category);
	fact(&L, "Solicitation", aw->solicitation[0] ? aw->solicitation : "not recorded");
	fact(&L, "Award date", date_format(aw->start, day));
	snprintf(line, sizeof line, "%s (%s), the procuring entity", p->lead.name, p->lead.code);
	fact(&L, "Lead agency", line);
	snprintf(line, sizeof line, "%s (%s)", p->vendor.name, p->vendor.code);
	fact(&L, "Vendor", line);
	draw_eligibility(&L, p);
	draw_terms(&L, p);
	if ((rc = draw_amendments(&L, p, words, e)))
		return rc;
	draw_purchases(&L, p);
	snprintf(foot, sizeof foot, "%s — %s — due-diligence packet", aw->number, p->member.code);
	lay_footers(&L, foot);
	return CL_OK;
}

ClCode pdf_packet(sqlite3 *db, const char *number, const char *agency, Date today,
		  ChangeWords words, const char *creation_date, unsigned char **out, size_t *len,
		  Err *e)
{
	Packet p;
	PdfDoc *d = NULL;
	char title[160];
	ClCode rc;

	*out = NULL;
	*len = 0;
	rc = packet_load(db, number, agency, today, &p, e);
	if (!rc) {
		snprintf(title, sizeof title, "Due-diligence packet %s %s", number, agency);
		rc = pdfdoc_new(title, creation_date, &d, e);
	}
	if (!rc)
		rc = packet_draw(d, &p, words, e);
	if (!rc)
		rc = pdfdoc_save(d, out, len, e);
	pdfdoc_free(d);
	packet_free(&p);
	return rc;
}

char *pdf_packet_filename(const char *number, const char *agency, char *buf, size_t n)
{
	size_t i;

	snprintf(buf, n, "packet-%s-%s.pdf", number, agency);
	for (i = 0; buf[i]; i++) {
		char c = buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			buf[i] = '-';
	}
	return buf;
}
