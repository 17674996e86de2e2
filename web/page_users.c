/* page_users.c — users and API tokens: lists, CSV, adding, inviting,
 * deactivating and revoking. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "listing.h"
#include "outbox.h"
#include "pagekit.h"
#include "pages.h"
#include "render.h"
#include "session.h"
#include "user.h"

/* Mark the rows of users whose state is "deactivated" (they get no
 * Deactivate button). */
static void mark_deactivated(cJSON *users)
{
	cJSON *u;

	cJSON_ArrayForEach(u, users)
	{
		const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(u, "state"));

		cJSON_AddBoolToObject(u, "deactivated", state && strcmp(state, "deactivated") == 0);
	}
}

/* The users page; form (may be NULL) the add-user ("form") or invite
 * ("invite") form as sent, under key, shown again with its refusal.
 * Takes form over. */
static int users_page(Req *r, int status, cJSON *form, const char *key)
{
	static const char *const roles[] = {"admin", "finance", "member", "vendor"};
	const char *chosen = form ? cJSON_GetStringValue(cJSON_GetObjectItem(form, "role")) : NULL;
	RowSet rows;
	Err e = {0};
	cJSON *ctx, *list, *users = pagekit_rows(listing_users(r->db, &rows, &e), &rows, NULL);
	size_t i;

	if (!users) {
		cJSON_Delete(form);
		return resp_error(r, 500, "%s", e.msg);
	}
	mark_deactivated(users);
	ctx = pagekit_ctx(r, "Users");
	cJSON_AddItemToObject(ctx, "users", users);
	list = cJSON_AddArrayToObject(ctx, "roles");
	for (i = 0; i < sizeof roles / sizeof *roles; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", roles[i]);
		cJSON_AddBoolToObject(o, "selected", chosen && strcmp(chosen, roles[i]) == 0);
		cJSON_AddItemToArray(list, o);
	}
	if (form) {
		cJSON_DeleteItemFromObject(ctx, "notice");
		cJSON_DeleteItemFromObject(ctx, "alert");
		/* the invite form says its refusal beside the field */
		if (strcmp(key, "form") == 0)
			cJSON_AddStringToObject(
				ctx, "alert",
				cJSON_GetStringValue(cJSON_GetObjectItem(form, "error")));
		cJSON_AddItemToObject(ctx, key, form);
	}
	return render_page(r, status, "users", ctx);
}

int page_users(Req *r)
{
	return users_page(r, 200, NULL, "form");
}

/* The field of the add-user form that a refusal e of user_add() is
 * about, and its label. */
static const char *user_field(const Err *e, const char **label)
{
	if (strncmp(e->msg, "e-mail", 6) == 0 || strstr(e->msg, "user with the e-mail")) {
		*label = "E-mail";
		return "email";
	}
	if (strstr(e->msg, "password")) {
		*label = "Password";
		return "password";
	}
	*label = "Agency or vendor code";
	return "bound";
}

int page_user_add(Req *r)
{
	const char *email = req_field(r, "email"), *bound = req_field(r, "bound"),
		   *rolename = req_field(r, "role"), *field, *label, *text;
	char actor[300], msg[ERR_MSG_MAX + 300], words[ERR_MSG_MAX + 200];
	cJSON *form;
	Role role;
	Err e = {0};

	if (!rolename || !*rolename || role_parse(rolename, &role, &e)) {
		field = "role";
		snprintf(msg, sizeof msg,
			 "User not added. Role: choose one of admin, finance, "
			 "member or vendor.");
	} else if (user_add(r->db, email, req_field(r, "password"), role,
			    role == ROLE_MEMBER ? bound : NULL, role == ROLE_VENDOR ? bound : NULL,
			    req_actor(r, actor, sizeof actor), NULL, &e)) {
		field = user_field(&e, &label);
		text = resp_wording(e.msg, 0, words, sizeof words);
		if (strncmp(text, "e-mail: ", 8) == 0)
			text += 8;
		snprintf(msg, sizeof msg, "User not added. %s: %s", label, text);
	} else {
		snprintf(msg, sizeof msg, "Added %s.", email);
		return pagekit_back_ok(r, "/users", msg);
	}
	/* the form again, as it was typed (but the password), with the refusal */
	form = cJSON_CreateObject();
	cJSON_AddStringToObject(form, "email", email ? email : "");
	cJSON_AddStringToObject(form, "role", rolename ? rolename : "");
	cJSON_AddStringToObject(form, "bound", bound ? bound : "");
	cJSON_AddBoolToObject(form, "email_invalid", strcmp(field, "email") == 0);
	cJSON_AddBoolToObject(form, "role_invalid", strcmp(field, "role") == 0);
	cJSON_AddBoolToObject(form, "bound_invalid", strcmp(field, "bound") == 0);
	cJSON_AddBoolToObject(form, "password_invalid", strcmp(field, "password") == 0);
	cJSON_AddStringToObject(form, "error", msg);
	return users_page(r, 422, form, "form");
}

/* The invite form as sent, with its refusal msg about field. */
static cJSON *invite_form(const char *email, const char *rolename, const char *bound,
			  const char *field, const char *msg)
{
	cJSON *form = cJSON_CreateObject();

	cJSON_AddStringToObject(form, "email", email ? email : "");
	cJSON_AddStringToObject(form, "role", rolename ? rolename : "");
	cJSON_AddStringToObject(form, "bound", bound ? bound : "");
	cJSON_AddBoolToObject(form, "email_invalid", strcmp(field, "email") == 0);
	cJSON_AddBoolToObject(form, "role_invalid", strcmp(field, "role") == 0);
	cJSON_AddBoolToObject(form, "bound_invalid", strcmp(field, "bound") == 0);
	cJSON_AddStringToObject(form, "error", msg);
	return form;
}

int page_user_invite(Req *r)
{
	const char *email = req_field(r, "email"), *bound = req_field(r, "bound"),
		   *rolename = req_field(r, "role"), *field, *label, *text;
	char actor[300], msg[ERR_MSG_MAX + 300], words[ERR_MSG_MAX + 200];
	Role role;
	Err e = {0};

	if (!rolename || !*rolename || role_parse(rolename, &role, &e)) {
		field = "role";
		snprintf(msg, sizeof msg, "Choose one of admin, finance, member or vendor.");
	} else if (account_invite(r->db, email, role, role == ROLE_MEMBER ? bound : NULL,
				  role == ROLE_VENDOR ? bound : NULL,
				  req_actor(r, actor, sizeof actor), outbox_now(), NULL, &e)) {
		field = user_field(&e, &label);
		text = resp_wording(e.msg, 0, words, sizeof words);
		if (strncmp(text, "e-mail: ", 8) == 0)
			text += 8;
		snprintf(msg, sizeof msg, "%s.", text);
		msg[0] = (char)toupper((unsigned char)msg[0]);
	} else {
		snprintf(msg, sizeof msg,
			 "Invited %s: an e-mail with a link to set a password (valid 72 hours) is "
			 "in the outbox.",
			 email);
		return pagekit_back_ok(r, "/users", msg);
	}
	return users_page(r, 422, invite_form(email, rolename, bound, field, msg), "invite");
}

int page_user_deactivate(Req *r)
{
	char actor[300], email[256], msg[ERR_MSG_MAX + 300];
	long id;
	Err e = {0};

	if (pagekit_field_int(r->param[0], 1, 1L << 50, &id))
		return resp_error(r, 404, "there is no such user");
	if (account_deactivate_id(r->db, id, req_actor(r, actor, sizeof actor), outbox_now(), email,
				  sizeof email, &e)) {
		if (e.code == CL_ENOTFOUND)
			return resp_error(r, 404, "there is no such user");
		snprintf(msg, sizeof msg, "Not deactivated: %s.", e.msg);
		return pagekit_back_err(r, "/users", msg);
	}
	snprintf(msg, sizeof msg, "Deactivated %s: their sessions and API tokens ended.", email);
	return pagekit_back_ok(r, "/users", msg);
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
		return pagekit_back_err(r, "/tokens", e.msg);
	ctx = pagekit_ctx(r, "API tokens");
	cJSON_AddStringToObject(ctx, "new_token", secret);
	/* the secret is shown this once: a list that failed is said, not hidden */
	if ((tokens = pagekit_rows(tokens_query(r, &rows, &e), &rows, NULL)))
		cJSON_AddItemToObject(ctx, "tokens", tokens);
	else {
		cJSON_DeleteItemFromObject(ctx, "alert");
		cJSON_AddStringToObject(ctx, "alert", "The list of tokens could not be read.");
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
	return pagekit_back_ok(r, "/tokens", "Token revoked.");
}

int page_users_csv(Req *r)
{
	static const char *const keys[] = {"email", "role", "bound", "created_at", "state"};
	RowSet rows;
	Err e = {0};

	return pagekit_csv(r, listing_users(r->db, &rows, &e), &rows, NULL, keys, 5, "users.csv",
			   &e);
}
