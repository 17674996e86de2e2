/* outbox_page.c — the outbox of e-mail notices (admin, finance): every
 * notice with its state, and a retry button for dead ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "encode.h"
#include "encode_rows.h"
#include "outbox.h"
#include "send.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"

/* A redirect to /outbox with a message for the session (pagekit.h). */
static int outbox_back(Req *r, int error, const char *text)
{
	return error ? pagekit_back_err(r, "/outbox", text) : pagekit_back_ok(r, "/outbox", text);
}

/* Rows [off, off + PAGE_ROWS) of the outbox for the page, each with
 * "dead" and "retrying" for its buttons.  Caller frees. */
static cJSON *notices_shown(const RowSet *all, long off)
{
	cJSON *list = encode_rowset(all, NULL, ENC_PAGE), *shown = cJSON_CreateArray(), *o;
	long i;

	for (i = 0; list && (o = list->child) != NULL; i++) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "state"));

		cJSON_DetachItemViaPointer(list, o);
		if (i < off || i >= off + PAGE_ROWS) {
			cJSON_Delete(o);
			continue;
		}
		cJSON_AddBoolToObject(o, "dead", s && strcmp(s, "dead") == 0);
		cJSON_AddBoolToObject(o, "retrying", s && strcmp(s, "retrying") == 0);
		cJSON_AddItemToArray(shown, o);
	}
	cJSON_Delete(list);
	return shown;
}

int page_outbox(Req *r)
{
	cJSON *ctx;
	long page, off = page_offset(r, &page);
	OutboxCounts counts;
	RowSet all;
	Err e = {0};

	if (outbox_list(r->db, &all, &e) || outbox_counts(r->db, &counts, &e)) {
		rowset_free(&all);
		return render_error(r, 500, e.msg);
	}
	ctx = pagekit_ctx(r, "Notices");
	cJSON_AddItemToObject(ctx, "counts", encode_outbox_counts(&counts));
	cJSON_AddBoolToObject(ctx, "notices_any", all.nrow > 0);
	cJSON_AddItemToObject(ctx, "notices", notices_shown(&all, off));
	add_paging(ctx, page, all.nrow > off + PAGE_ROWS, "");
	rowset_free(&all);
	return render_page(r, 200, "outbox", ctx);
}

int page_outbox_retry(Req *r)
{
	char actor[300], msg[ERR_MSG_MAX + 40];
	long long id = strtoll(r->param[0], NULL, 10);
	Err e = {0};

	if (id <= 0 ||
	    outbox_retry(r->db, (int64_t)id, req_actor(r, actor, sizeof actor), outbox_now(), &e)) {
		snprintf(msg, sizeof msg, "Not retried: %s", id <= 0 ? "no such notice" : e.msg);
		return outbox_back(r, 1, msg);
	}
	snprintf(msg, sizeof msg, "Notice %lld is queued again.", id);
	return outbox_back(r, 0, msg);
}

int page_outbox_send(Req *r)
{
	char msg[ERR_MSG_MAX + 80];
	MailConfig cfg;
	MailRun run = {0};
	int added = 0;
	Err e = {0};

	if (mail_config_from_env(&cfg, &e) ||
	    outbox_queue_due(r->db, r->today, outbox_now(), &added, &e) ||
	    mail_send_due(r->db, &cfg, outbox_now(), r->today, &run, &e)) {
		snprintf(msg, sizeof msg, "Not sent: %s", e.msg);
		return outbox_back(r, 1, msg);
	}
	snprintf(msg, sizeof msg, "Queued %d new notices; sent %d, to retry %d, dead %d.", added,
		 run.sent, run.retrying, run.dead);
	return outbox_back(r, 0, msg);
}

int page_outbox_csv(Req *r)
{
	static const char *const keys[] = {"id",	 "kind",      "recipient",  "contract",
					   "period",	 "state",     "attempts",   "next_attempt",
					   "last_error", "queued_on", "created_at", "sent_at"};
	RowSet all;
	Err e = {0};

	return pagekit_csv(r, outbox_list(r->db, &all, &e), &all, NULL, keys, 12, "outbox.csv", &e);
}

int page_statement_send(Req *r)
{
	const char *contract = r->param[0], *agency = r->param[1], *period = req_field(r, "period");
	char msg[ERR_MSG_MAX + 200];
	Quarter q;
	int added = 0;
	Err e = {0};

	if (!period || quarter_parse(period, &q, &e) ||
	    outbox_queue_statement(r->db, contract, agency, q, r->today, outbox_now(), &added,
				   &e)) {
		snprintf(msg, sizeof msg, "Not queued: %s",
			 period ? e.msg : "the form gives no period");
		return outbox_back(r, 1, msg);
	}
	if (added)
		snprintf(
			msg, sizeof msg,
			"Queued the %.8s statement of %.40s under %.60s (%d notice%s); it goes out "
			"with the next send.",
			period, agency, contract, added, added == 1 ? "" : "s");
	else
		snprintf(msg, sizeof msg,
			 "The %.8s statement of %.40s under %.60s is already in the outbox.",
			 period, agency, contract);
	return outbox_back(r, 0, msg);
}
