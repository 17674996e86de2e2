/* document.c — PDF documents attached to a contract; see document.h. */
#include "document.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <qpdf/qpdf-c.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "db.h"
#include "text.h"

static const char *const kinds[][2] = {
	{"solicitation", "solicitation"}, {"award", "award"}, {"amendment", "amendment"},
	{"price_list", "price list"},	  {"other", "other"},
};

const char *document_kind_words(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i][0]) == 0)
			return kinds[i][1];
	return NULL;
}

const char *document_size_words(int64_t bytes, char *out, size_t n)
{
	if (bytes < 1024)
		snprintf(out, n, "%" PRId64 " bytes", bytes);
	else if (bytes < (int64_t)1 << 20) /* whole KB, rounded half up */
		snprintf(out, n, "%" PRId64 " KB", (bytes + 512) / 1024);
	else /* tenths of a MB, rounded half up */
		snprintf(out, n, "%" PRId64 ".%" PRId64 " MB",
			 (bytes * 10 + (1 << 19)) / (1 << 20) / 10,
			 (bytes * 10 + (1 << 19)) / (1 << 20) % 10);
	return out;
}

ClCode document_dir(sqlite3 *db, char *out, size_t n, Err *e)
{
	const char *file = sqlite3_db_filename(db, "main");

	if (!file || !*file)
		return err_set(e, CL_EIO, "documents need a database kept in a file");
	if ((size_t)snprintf(out, n, "%s.documents", file) >= n)
		return err_set(e, CL_EIO, "the database's path is too long for its documents");
	return CL_OK;
}

/* The safe file name of in into out (DOCUMENT_NAME_MAX + 1 bytes): the
 * name sent (else the title) with every byte but letters, digits, '.',
 * '-' and '_' as '_', without its folders, at most DOCUMENT_NAME_MAX
 * bytes, ending ".pdf". */
static void safe_file_name(const DocumentIn *in, char *out)
{
	const char *s = in->file_name && *in->file_name ? in->file_name : in->title;
	const char *slash = strrchr(s, '/');
	size_t len = 0, stem;

	s = slash ? slash + 1 : s;
	for (; *s && len < DOCUMENT_NAME_MAX; s++) {
		unsigned char c = (unsigned char)*s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';

		out[len++] = ok ? (char)c : '_';
	}
	out[len] = '\0';
	if (len >= 4 && strcasecmp(out + len - 4, ".pdf") == 0)
		len -= 4;
	stem = len < DOCUMENT_NAME_MAX - 4 ? len : DOCUMENT_NAME_MAX - 4;
	while (stem > 0 && out[0] == '.') /* no hidden files, no ".." */
		memmove(out, out + 1, stem--);
	if (stem == 0)
		stem = (size_t)snprintf(out, DOCUMENT_NAME_MAX, "document");
	snprintf(out + stem, DOCUMENT_NAME_MAX + 1 - stem, ".pdf");
}

/* CL_OK when in's fields are whole; else CL_EINPUT naming the field. */
static ClCode check_in(const DocumentIn *in, Err *e)
{
	const unsigned char *t;
	size_t chars = 0;

	if (!document_kind_words(in->kind))
		return err_set(e, CL_EINPUT,
			       "kind: \"%.40s\" is not a kind of document; use solicitation, "
			       "award, amendment, price_list or other",
			       in->kind ? in->kind : "");
	if (!in->title || !*in->title)
		return err_set(e, CL_EINPUT, "title: a document needs a title");
	if (text_check_line("title", in->title, e))
		return CL_EINPUT;
	for (t = (const unsigned char *)in->title; *t; t++)
		chars += (*t & 0xc0) != 0x80;
	if (chars > DOCUMENT_TITLE_MAX)
		return err_set(e, CL_EINPUT, "title: at most %d characters (this one has %zu)",
			       DOCUMENT_TITLE_MAX, chars);
	if (in->file_name && text_check_line("file name", in->file_name, e))
		return CL_EINPUT;
	if (!in->actor || !*in->actor)
		return err_set(e, CL_EINPUT, "a document needs who adds it");
	return CL_OK;
}

/* "%PDF-" at the start and a file qpdf reads and checks without error
 * (no attempt to repair a damaged one).  CL_EINPUT otherwise. */
static ClCode check_pdf(const char *path, const unsigned char *head, size_t nhead, Err *e)
{
	qpdf_data q;
	int rc;
	ClCode out = CL_OK;

	if (nhead < 5 || memcmp(head, "%PDF-", 5) != 0)
		return err_set(e, CL_EINPUT, "file: not a PDF (a PDF starts with %%PDF-)");
	q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	rc = qpdf_read(q, path, NULL);
	if (!(rc & QPDF_ERRORS))
		rc = qpdf_check_pdf(q);
	if ((rc & QPDF_ERRORS) || qpdf_has_error(q)) {
		const char *why = qpdf_has_error(q)
					  ? qpdf_get_error_message_detail(q, qpdf_get_error(q))
					  : "it could not be read";

		out = err_set(e, CL_EINPUT, "file: not a readable PDF: %.200s", why ? why : "");
	}
	qpdf_cleanup(&q);
	return out;
}

/* Copy src to a new temporary file in dir, at most DOCUMENT_MAX_BYTES,
 * hashing it.  OUT: tmp (its path), *size, sha (hex), head (its first
 * bytes, *nhead of them).  On failure no temporary file is left. */
static ClCode copy_in(FILE *src, const char *dir, char *tmp, size_t ntmp, int64_t *size,
		      char sha[DOCUMENT_SHA_HEX], unsigned char head[8], size_t *nhead, Err *e)
{
	crypto_hash_sha256_state s;
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	size_t n;
	int fd;
	ClCode rc = CL_OK;

	*size = 0;
	*nhead = 0;
	if (mkdir(dir, 0750) && errno != EEXIST)
		return err_set(e, CL_EIO, "cannot make the documents folder %s: %s", dir,
			       strerror(errno));
	snprintf(tmp, ntmp, "%s/.upload-XXXXXX", dir);
	if ((fd = mkstemp(tmp)) < 0)
		return err_set(e, CL_EIO, "cannot write in %s: %s", dir, strerror(errno));
	crypto_hash_sha256_init(&s);
	while (!rc && (n = fread(buf, 1, sizeof buf, src)) > 0) {
		if (*size + (int64_t)n > DOCUMENT_MAX_BYTES)
			rc = err_set(e, CL_ENOMEM,
				     "file: larger than 20 MiB (%" PRId64 " bytes); a document "
				     "may be at most %" PRId64 " bytes",
				     *size + (int64_t)n, DOCUMENT_MAX_BYTES);
		else if (write(fd, buf, n) != (ssize_t)n)
			rc = err_set(e, CL_EIO, "cannot write the document: %s", strerror(errno));
		if (!rc && *nhead < 8) {
			size_t k = n < 8 - *nhead ? n : 8 - *nhead;

			memcpy(head + *nhead, buf, k);
			*nhead += k;
		}
		if (!rc) {
			crypto_hash_sha256_update(&s, buf, n);
			*size += (int64_t)n;
		}
	}
	if (!rc && ferror(src))
		rc = err_set(e, CL_EIO, "cannot read the document");
	if (!rc && *size == 0)
		rc = err_set(e, CL_EINPUT, "file: the file is empty");
	if (!rc && fsync(fd))
		rc = err_set(e, CL_EIO, "cannot sync the document: %s", strerror(errno));
	if (close(fd) && !rc)
		rc = err_set(e, CL_EIO, "cannot write the document: %s", strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(sha, DOCUMENT_SHA_HEX, h, sizeof h);
	return CL_OK;
}

/* Put tmp in place as dir/SHA.pdf, then sync dir.  OUT: path, *created
 * (0 when a file of that name, hence those bytes, was there already; tmp
 * is then removed). */
static ClCode store(const char *dir, const char *tmp, const char *sha, char *path, size_t n,
		    int *created, Err *e)
{
	int fd;

	snprintf(path, n, "%s/%s.pdf", dir, sha);
	*created = access(path, F_OK) != 0;
	if (!*created) {
		unlink(tmp);
		return CL_OK;
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return err_set(e, CL_EIO, "cannot store the document: %s", strerror(errno));
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		int bad = fsync(fd);

		close(fd);
		if (!bad)
			return CL_OK;
	}
	unlink(path);
	return err_set(e, CL_EIO, "cannot sync the documents folder %s", dir);
}

/* The row and its audit entry, in one transaction.  OUT: *id. */
static ClCode record(sqlite3 *db, const DocumentIn *in, int64_t contract_id, const char *name,
		     int64_t size, const char *sha, int64_t *id, Err *e)
{
	char now[TIMESTAMP_BUF], idtext[24];
	cJSON *after = NULL;
	char *json = NULL;
	ClCode rc;

	if ((rc = db_begin(db, e)))
		return rc;
	if (db_int(db, 0,
		   "SELECT count(*) FROM contract_document WHERE contract_id = ? AND sha256 = ?",
		   "it", contract_id, sha)) {
		rc = err_set(e, CL_ECONFLICT,
			     "file: this file (SHA-256 %.12s…) is attached to contract %s already",
			     sha, in->contract);
		goto out;
	}
	rc = db_exec(db, e,
		     "INSERT INTO contract_document (contract_id, kind, title, file_name, size, "
		     "sha256, public, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     "itttititt", contract_id, in->kind, in->title, name, size, sha,
		     (int64_t)(in->is_public ? 1 : 0), db_timestamp(now), in->actor);
	if (rc)
		goto out;
	*id = sqlite3_last_insert_rowid(db);
	snprintf(idtext, sizeof idtext, "%" PRId64, *id);
	after = cJSON_CreateObject();
	if (!after || !cJSON_AddStringToObject(after, "contract", in->contract) ||
	    !cJSON_AddStringToObject(after, "kind", in->kind) ||
	    !cJSON_AddStringToObject(after, "title", in->title) ||
	    !cJSON_AddStringToObject(after, "file_name", name) ||
	    !cJSON_AddNumberToObject(after, "size", (double)size) ||
	    !cJSON_AddStringToObject(after, "sha256", sha) ||
	    !cJSON_AddBoolToObject(after, "public", in->is_public) ||
	    !(json = cJSON_PrintUnformatted(after))) {
		rc = err_set(e, CL_ENOMEM, "out of memory");
		goto out;
	}
	rc = audit_record(db, in->actor, "document.add", "contract_document", idtext, NULL, json,
			  e);
	if (!rc)
		rc = db_commit(db, e);
out:
	if (rc)
		db_rollback(db);
	cJSON_Delete(after);
	free(json);
	return rc;
}

ClCode document_add_file(sqlite3 *db, const DocumentIn *in, FILE *src, int64_t *id, Err *e)
{
	char dir[DOCUMENT_PATH_MAX], tmp[DOCUMENT_PATH_MAX + 16], path[DOCUMENT_PATH_MAX + 80];
	char sha[DOCUMENT_SHA_HEX], name[DOCUMENT_NAME_MAX + 1];
	unsigned char head[8];
	struct stat st;
	int64_t contract_id, size;
	size_t nhead;
	int created;
	ClCode rc;

	*id = 0;
	if ((rc = check_in(in, e)) || (rc = document_dir(db, dir, sizeof dir, e)))
		return rc;
	contract_id = db_int(db, 0, "SELECT id FROM contract WHERE number = ?", "t", in->contract);
	if (!contract_id)
		return err_set(e, CL_ENOTFOUND, "no contract %.63s", in->contract);
	/* a file known to be too large is refused before a byte is copied */
	if (fstat(fileno(src), &st) == 0 && S_ISREG(st.st_mode) &&
	    (int64_t)st.st_size - ftello(src) > DOCUMENT_MAX_BYTES)
		return err_set(e, CL_ENOMEM,
			       "file: larger than 20 MiB (%" PRId64 " bytes); a document may be "
			       "at most %" PRId64 " bytes",
			       (int64_t)st.st_size - (int64_t)ftello(src), DOCUMENT_MAX_BYTES);
	if ((rc = copy_in(src, dir, tmp, sizeof tmp, &size, sha, head, &nhead, e)))
		return rc;
	if ((rc = check_pdf(tmp, head, nhead, e))) {
		unlink(tmp);
		return rc;
	}
	if ((rc = store(dir, tmp, sha, path, sizeof path, &created, e)))
		return rc;
	safe_file_name(in, name);
	rc = record(db, in, contract_id, name, size, sha, id, e);
	/* no row names the file (unless another contract's, added meanwhile,
	 * does): it goes too */
	if (rc && created &&
	    !db_int(db, 0, "SELECT count(*) FROM contract_document WHERE sha256 = ?", "t", sha))
		unlink(path);
	return rc;
}

ClCode document_add(sqlite3 *db, const DocumentIn *in, const void *data, size_t len, int64_t *id,
		    Err *e)
{
	FILE *f;
	ClCode rc;

	*id = 0;
	if ((int64_t)len > DOCUMENT_MAX_BYTES)
		return err_set(e, CL_ENOMEM,
			       "file: larger than 20 MiB (%zu bytes); a document may be at most "
			       "%" PRId64 " bytes",
			       len, DOCUMENT_MAX_BYTES);
	if (len == 0)
		return err_set(e, CL_EINPUT, "file: the file is empty");
	if (!(f = fmemopen((void *)(uintptr_t)data, len, "r")))
		return err_set(e, CL_ENOMEM, "out of memory");
	rc = document_add_file(db, in, f, id, e);
	fclose(f);
	return rc;
}

ClCode document_list(sqlite3 *db, const char *number, int public_only, RowSet *out, Err *e)
{
	DbRows q;

	memset(out, 0, sizeof *out);
	if (!db_int(db, 0, "SELECT count(*) FROM contract WHERE number = ?", "t", number))
		return err_set(e, CL_ENOTFOUND, "no contract %.63s", number);
	return rowset_read(
		out,
		db_rows(&q, db, e,
			"SELECT d.id, d.kind, d.title, d.file_name, d.size, d.sha256, "
			"d.public, d.uploaded_at, d.uploaded_by FROM contract_document d "
			"JOIN contract c ON c.id = d.contract_id WHERE c.number = ? "
			"AND (d.public = 1 OR ? = 0) ORDER BY d.id",
			"ti", number, (int64_t)(public_only ? 1 : 0)),
		&q, 0, "reading the documents", e);
}

ClCode document_get(sqlite3 *db, const char *number, int64_t id, Document *out, Err *e)
{
	char dir[DOCUMENT_PATH_MAX];
	ClCode rc, end;
	DbRows q;

	memset(out, 0, sizeof *out);
	if ((rc = document_dir(db, dir, sizeof dir, e)))
		return rc;
	rc = db_rows(&q, db, e,
		     "SELECT d.id, d.kind, d.title, d.file_name, d.size, d.sha256, d.public "
		     "FROM contract_document d JOIN contract c ON c.id = d.contract_id "
		     "WHERE c.number = ? AND d.id = ?",
		     "ti", number, id);
	if (!rc && db_rows_next(&q)) {
		out->id = sqlite3_column_int64(q.st, 0);
		snprintf(out->kind, sizeof out->kind, "%s", sqlite3_column_text(q.st, 1));
		snprintf(out->title, sizeof out->title, "%s", sqlite3_column_text(q.st, 2));
		snprintf(out->file_name, sizeof out->file_name, "%s", sqlite3_column_text(q.st, 3));
		out->size = sqlite3_column_int64(q.st, 4);
		snprintf(out->sha256, sizeof out->sha256, "%s", sqlite3_column_text(q.st, 5));
		out->is_public = sqlite3_column_int(q.st, 6);
	}
	end = db_rows_end(&q, "reading the document", e);
	if (rc || end)
		return rc ? rc : end;
	if (!out->id)
		return err_set(e, CL_ENOTFOUND, "contract %.63s has no document %" PRId64, number,
			       id);
	snprintf(out->path, sizeof out->path, "%.4000s/%s.pdf", dir, out->sha256);
	return CL_OK;
}

ClCode document_set_public(sqlite3 *db, const char *number, int64_t id, int is_public,
			   const char *actor, Err *e)
{
	char idtext[24];
	Document d;
	ClCode rc;

	is_public = is_public ? 1 : 0;
	if ((rc = document_get(db, number, id, &d, e)) || d.is_public == is_public)
		return rc;
	if ((rc = db_begin(db, e)))
		return rc;
	snprintf(idtext, sizeof idtext, "%" PRId64, id);
	rc = db_exec(db, e, "UPDATE contract_document SET public = ? WHERE id = ?", "ii",
		     (int64_t)is_public, id);
	if (!rc)
		rc = audit_record(db, actor, "document.visibility", "contract_document", idtext,
				  d.is_public ? "{\"public\":true}" : "{\"public\":false}",
				  is_public ? "{\"public\":true}" : "{\"public\":false}", e);
	if (!rc)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
	return rc;
}
