/* page_users.c — users and API tokens: lists, CSV, adding and revoking. */
#include <stdio.h>

#include "csvout.h"
#include "db.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "session.h"
#include "user.h"

int page_users(Req *r)
{
	cJSON *ctx = pagekit_ctx(r, "Users");
	sqlite3_stmt *st = NULL;
	int more = 0;

	if (!db_prepare(r->db, &st,
			"SELECT u.id, u.email, u.role, coalesce(a.code, v.code, '') AS bound, "
			"u.created_at FROM app_user u LEFT JOIN agency a ON a.id = u.agency_id "
			"LEFT JOIN vendor v ON v.id = u.vendor_id ORDER BY u.email",
			NULL)) {
		cJSON_AddItemToObject(ctx, "users", pagekit_rows_json(st, 0, &more));
		sqlite3_finalize(st);
	}
	return render_page(r, 200, "users", ctx);
}

int page_user_add(Req *r)
{
	const char *email = req_field(r, "email"), *bound = req_field(r, "bound");
	char actor[300], msg[ERR_MSG_MAX + 40];
	Role role;
	Err e = {0};

	if (role_parse(req_field(r, "role"), &role, &e) ||
	    user_add(r->db, email, req_field(r, "password"), role,
		     role == ROLE_MEMBER ? bound : NULL, role == ROLE_VENDOR ? bound : NULL,
		     req_actor(r, actor, sizeof actor), NULL, &e)) {
		snprintf(msg, sizeof msg, "User not added: %s", e.msg);
		return pagekit_back_with(r, "/users", msg);
	}
	snprintf(msg, sizeof msg, "Added %s.", email);
	return pagekit_back_with(r, "/users", msg);
}

/* The caller's tokens (an admin sees everyone's). */
static cJSON *tokens_json(Req *r)
{
	sqlite3_stmt *st = NULL;
	cJSON *arr;
	int more = 0;

	if (db_prepare(r->db, &st,
		       "SELECT t.id, t.name, u.email, t.created_at, coalesce(t.last_used, '') AS "
		       "last_used, t.revoked_at FROM api_token t "
		       "JOIN app_user u ON u.id = t.user_id WHERE ?1 = 0 OR t.user_id = ?1 "
		       "ORDER BY t.id DESC",
		       NULL))
		return cJSON_CreateArray();
	db_bind_spec(st, "i", r->who.role == ROLE_ADMIN ? (int64_t)0 : r->who.user_id);
	arr = pagekit_rows_json(st, 0, &more);
	sqlite3_finalize(st);
	return arr;
}

int page_tokens(Req *r)
{
	cJSON *ctx = pagekit_ctx(r, "API tokens");

	cJSON_AddItemToObject(ctx, "tokens", tokens_json(r));
	return render_page(r, 200, "tokens", ctx);
}

int page_tokens_csv(Req *r)
{
	static const char *const keys[] = {"id",	 "name",      "email",
					   "created_at", "last_used", "revoked_at"};
	cJSON *rows = tokens_json(r);

	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 6), "tokens.csv");
	cJSON_Delete(rows);
	return 0;
}

int page_token_add(Req *r)
{
	char secret[SESSION_SECRET_BUF];
	const char *name = req_field(r, "name");
	cJSON *ctx;
	Err e = {0};

	if (api_token_create(r->db, r->who.user_id, name && *name ? name : "token", secret, NULL,
			     &e))
		return pagekit_back_with(r, "/tokens", e.msg);
	ctx = pagekit_ctx(r, "API tokens");
	cJSON_AddStringToObject(ctx, "new_token", secret);
	cJSON_AddItemToObject(ctx, "tokens", tokens_json(r));
	return render_page(r, 201, "tokens", ctx);
}

int page_token_revoke(Req *r)
{
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id) ||
	    api_token_revoke(r->db, id, r->who.role == ROLE_ADMIN ? 0 : r->who.user_id, &e))
		return resp_error(r, 404, "there is no such token");
	return pagekit_back_with(r, "/tokens", "Token revoked.");
}

int page_users_csv(Req *r)
{
	static const char *const keys[] = {"email", "role", "bound", "created_at"};
	sqlite3_stmt *st = NULL;
	cJSON *rows;
	int more = 0;

	if (db_prepare(
		    r->db, &st,
		    "SELECT u.email, u.role, coalesce(a.code, v.code, '') AS bound, u.created_at "
		    "FROM app_user u LEFT JOIN agency a ON a.id = u.agency_id LEFT JOIN vendor v "
		    "ON v.id = u.vendor_id ORDER BY u.email",
		    NULL))
		return resp_error(r, 500, "the database failed");
	rows = pagekit_rows_json(st, 0, &more);
	sqlite3_finalize(st);
	resp_text(r, 200, "text/csv; charset=utf-8", csv_from_json(rows, keys, 4), "users.csv");
	cJSON_Delete(rows);
	return 0;
}
