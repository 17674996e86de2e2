/* page_users.c — users and API tokens: lists, CSV, adding and revoking. */
#include <stdio.h>

#include "listing.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "session.h"
#include "user.h"

int page_users(Req *r)
{
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *users = pagekit_rows(listing_users(r->db, &rows, &e), &rows, NULL);

	if (!users)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "Users");
	cJSON_AddItemToObject(ctx, "users", users);
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

/* The caller's tokens (an admin sees everyone's).  OUT: *out, freed by
 * the caller either way. */
static ClCode tokens_query(Req *r, RowSet *out, Err *e)
{
	return listing_tokens(r->db, r->who.role == ROLE_ADMIN ? (int64_t)0 : r->who.user_id, out,
			      e);
}

int page_tokens(Req *r)
{
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *tokens = pagekit_rows(tokens_query(r, &rows, &e), &rows, NULL);

	if (!tokens)
		return resp_error(r, 500, "%s", e.msg);
	ctx = pagekit_ctx(r, "API tokens");
	cJSON_AddItemToObject(ctx, "tokens", tokens);
	return render_page(r, 200, "tokens", ctx);
}

int page_tokens_csv(Req *r)
{
	static const char *const keys[] = {"id",	 "name",      "email",
					   "created_at", "last_used", "revoked_at"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, tokens_query(r, &rows, &e), &rows, NULL, keys, 6, "tokens.csv", &e);
}

int page_token_add(Req *r)
{
	char secret[SESSION_SECRET_BUF];
	const char *name = req_field(r, "name");
	cJSON *ctx, *tokens;
	RowSet rows;
	Err e = {0};

	if (api_token_create(r->db, r->who.user_id, name && *name ? name : "token", secret, NULL,
			     &e))
		return pagekit_back_with(r, "/tokens", e.msg);
	ctx = pagekit_ctx(r, "API tokens");
	cJSON_AddStringToObject(ctx, "new_token", secret);
	/* the secret is shown this once: a list that failed is said, not hidden */
	if ((tokens = pagekit_rows(tokens_query(r, &rows, &e), &rows, NULL)))
		cJSON_AddItemToObject(ctx, "tokens", tokens);
	else {
		cJSON_DeleteItemFromObject(ctx, "notice");
		cJSON_AddStringToObject(ctx, "notice", "The list of tokens could not be read.");
	}
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
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, listing_users(r->db, &rows, &e), &rows, NULL, keys, 4, "users.csv",
			   &e);
}
