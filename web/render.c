/* render.c — templates to pages; see render.h. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "embedded.h"
#include "money.h"
#include "mustache.h"
#include "server.h"
#include "user.h"

#define TEMPLATE_MAX (1 << 20)

/* Template text by name: from --templates DIR (read each time, for
 * development) or compiled in.  *owned says whether the caller frees it. */
static char *template_text(const char *name, size_t *len, int *owned)
{
	const ServerConfig *cfg = server_config();
	char path[512];
	const EmbeddedFile *f;

	*owned = 0;
	if (strchr(name, '/') || strstr(name, ".."))
		return NULL;
	if (cfg->templates) {
		FILE *fp;
		char *buf;

		snprintf(path, sizeof path, "%s/%s.mustache", cfg->templates, name);
		fp = fopen(path, "rb");
		if (!fp)
			return NULL;
		buf = malloc(TEMPLATE_MAX);
		*len = buf ? fread(buf, 1, TEMPLATE_MAX - 1, fp) : 0;
		fclose(fp);
		if (buf)
			buf[*len] = '\0';
		*owned = 1;
		return buf;
	}
	snprintf(path, sizeof path, "templates/%s.mustache", name);
	f = embedded_find(path);
	if (!f)
		return NULL;
	*len = f->size;
	return (char *)f->data;
}

/* Partials for the engine; dev-mode texts are kept until the page is done. */
typedef struct Partials {
	char *owned[16];
	int n;
} Partials;

static const char *partial(void *ctx, const char *name, size_t *len)
{
	Partials *p = ctx;
	int owned;
	char *t = template_text(name, len, &owned);

	if (t && owned) {
		if (p->n == 16) {
			free(t);
			return NULL;
		}
		p->owned[p->n++] = t;
	}
	return t;
}

void render_flag_lists(cJSON *o)
{
	cJSON *x;

	if (!o)
		return;
	for (x = o->child; x; x = x->next) {
		if (cJSON_IsArray(x) && x->string && cJSON_IsObject(o)) {
			char key[64];

			/* "<list>_any": templates test a list for rows with it */
			snprintf(key, sizeof key, "%s_any", x->string);
			if (cJSON_GetArraySize(x) > 0 && !cJSON_GetObjectItem(o, key))
				cJSON_AddTrueToObject(o, key);
		}
		if (cJSON_IsObject(x) || cJSON_IsArray(x))
			render_flag_lists(x);
	}
}

/* The signed-in principal and navigation flags for the layout. */
static void add_me(Req *r, cJSON *ctx)
{
	char day[DATE_BUF];
	cJSON *me;

	cJSON_AddStringToObject(ctx, "today", date_format(r->today, day));
	if (!r->signed_in)
		return;
	me = cJSON_AddObjectToObject(ctx, "me");
	cJSON_AddStringToObject(me, "email", r->who.email);
	cJSON_AddStringToObject(me, "role", role_name(r->who.role));
	cJSON_AddBoolToObject(me, "admin", r->who.role == ROLE_ADMIN);
	cJSON_AddBoolToObject(me, "staff", r->who.role <= ROLE_FINANCE);
	cJSON_AddBoolToObject(me, "member", r->who.role == ROLE_MEMBER);
	cJSON_AddBoolToObject(me, "vendor", r->who.role == ROLE_VENDOR);
	cJSON_AddBoolToObject(me, "uploads", r->who.role != ROLE_MEMBER);
	if (r->who.agency[0])
		cJSON_AddStringToObject(me, "agency", r->who.agency);
	if (r->who.vendor[0])
		cJSON_AddStringToObject(me, "vendor_code", r->who.vendor);
	cJSON_AddStringToObject(ctx, "csrf", r->who.csrf);
}

int render_page(Req *r, int status, const char *page, cJSON *ctx)
{
	MustacheOptions opt = {0};
	Partials parts = {{0}, 0};
	Err e = {0};
	size_t len;
	int owned, i;
	char *tmpl, *html;

	if (!ctx)
		ctx = cJSON_CreateObject();
	add_me(r, ctx);
	render_flag_lists(ctx);
	tmpl = template_text(page, &len, &owned);
	opt.partial = partial;
	opt.partial_ctx = &parts;
	html = tmpl ? mustache_render(tmpl, len, ctx, &opt, &e) : NULL;
	if (!tmpl)
		err_set(&e, CL_ENOTFOUND, "no template %s", page);
	if (owned)
		free(tmpl);
	for (i = 0; i < parts.n; i++)
		free(parts.owned[i]);
	cJSON_Delete(ctx);
	if (!html) {
		fprintf(stderr, "coopledger: template %s: %s\n", page, e.msg);
		r->resp.status = 500;
		return resp_text(
			r, 500, "text/plain; charset=utf-8",
			strdup("The page could not be drawn; the error is in the server log."),
			NULL);
	}
	return resp_html(r, status, html);
}

int render_error(Req *r, int status, const char *msg)
{
	cJSON *ctx = cJSON_CreateObject();

	cJSON_AddNumberToObject(ctx, "status", status);
	cJSON_AddStringToObject(ctx, "message", msg);
	return render_page(r, status, "error", ctx);
}

const char *render_static(const char *name, size_t *len, const char **type)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".css", "text/css; charset=utf-8"},
		     {".js", "text/javascript; charset=utf-8"},
		     {".svg", "image/svg+xml"}};
	char path[256];
	const EmbeddedFile *f;
	size_t i, n = strlen(name);

	if (strchr(name, '/') || strstr(name, "..") || n > 200)
		return NULL;
	snprintf(path, sizeof path, "web/static/%s", name);
	f = embedded_find(path);
	if (!f)
		return NULL;
	*len = f->size;
	*type = "application/octet-stream";
	for (i = 0; i < sizeof types / sizeof *types; i++)
		if (n > strlen(types[i].ext) &&
		    strcmp(name + n - strlen(types[i].ext), types[i].ext) == 0)
			*type = types[i].type;
	return f->data;
}
