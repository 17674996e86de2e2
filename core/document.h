/*
 * document.h — PDF documents attached to a contract (DOMAIN.md section 7):
 * the solicitation, the award, amendments, price lists, each public or
 * staff-only.
 *
 * A document's bytes are kept under the data directory, beside the
 * database: DATABASE.documents/SHA256.pdf, written to a temporary file,
 * synced, then renamed, so that a file of that name is always whole.  Its
 * row and an audit entry holding its SHA-256 commit together; when they
 * cannot, a file this call created is removed again.  A document is never
 * replaced or removed; only whether it is public changes (audited).
 */
#ifndef COOPLEDGER_DOCUMENT_H
#define COOPLEDGER_DOCUMENT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "rowset.h"

#define DOCUMENT_MAX_BYTES ((int64_t)20 << 20) /* 20 MiB */
#define DOCUMENT_TITLE_MAX 200		       /* characters */
#define DOCUMENT_NAME_MAX  100		       /* bytes of the safe file name */
#define DOCUMENT_SHA_HEX   65		       /* 64 hex digits and the NUL */
#define DOCUMENT_PATH_MAX  4096

/* What a new document is. */
typedef struct DocumentIn {
	const char *contract;  /* contract number */
	const char *kind;      /* solicitation|award|amendment|price_list|other */
	const char *title;     /* 1 to DOCUMENT_TITLE_MAX characters */
	const char *file_name; /* as sent (made safe here); NULL or "": the title's */
	int is_public;	       /* 1: anyone may read it; 0: staff only */
	const char *actor;     /* who adds it, for the audit log */
} DocumentIn;

/* One document as stored. */
typedef struct Document {
	int64_t id;
	char kind[16];
	char title[DOCUMENT_TITLE_MAX * 4 + 1];
	char file_name[DOCUMENT_NAME_MAX + 1];
	int64_t size; /* bytes */
	char sha256[DOCUMENT_SHA_HEX];
	int is_public;
	char path[DOCUMENT_PATH_MAX]; /* where its bytes are */
} Document;

/* Add the document read from src (from its current position to its end):
 * at most DOCUMENT_MAX_BYTES (CL_ENOMEM past it, nothing kept), a PDF
 * that starts with "%PDF-" and that qpdf reads and checks without error
 * (CL_EINPUT otherwise), not yet attached to this contract (CL_ECONFLICT).
 * OUT: *id, the new document's. */
ClCode document_add_file(sqlite3 *db, const DocumentIn *in, FILE *src, int64_t *id, Err *e)
	__attribute__((warn_unused_result));

/* The same from len bytes at data. */
ClCode document_add(sqlite3 *db, const DocumentIn *in, const void *data, size_t len, int64_t *id,
		    Err *e) __attribute__((warn_unused_result));

/* The documents of contract number, oldest first (public ones only when
 * public_only), into OUT *out: id, kind, title, file_name, size (bytes),
 * sha256, public (0/1), uploaded_at, uploaded_by.  An unknown contract is
 * CL_ENOTFOUND.  Free with rowset_free() either way. */
ClCode document_list(sqlite3 *db, const char *number, int public_only, RowSet *out, Err *e)
	__attribute__((warn_unused_result));

/* Document id of contract number into OUT *out, with the path of its
 * bytes; CL_ENOTFOUND when the contract has no such document. */
ClCode document_get(sqlite3 *db, const char *number, int64_t id, Document *out, Err *e)
	__attribute__((warn_unused_result));

/* Make document id of contract number public (1) or staff-only (0),
 * audited as actor; setting what it already is changes nothing. */
ClCode document_set_public(sqlite3 *db, const char *number, int64_t id, int is_public,
			   const char *actor, Err *e) __attribute__((warn_unused_result));

/* The kind in words ("price list"), or NULL for no kind of ours. */
const char *document_kind_words(const char *kind);

/* bytes as a reader reads a size: "812 bytes", "14 KB", "2.4 MB" (1 KB =
 * 1,024 bytes) into out (size n); returns out. */
const char *document_size_words(int64_t bytes, char *out, size_t n);

/* The folder of db's documents into out (size n): the database file's
 * path and ".documents".  CL_EIO for a database without a file. */
ClCode document_dir(sqlite3 *db, char *out, size_t n, Err *e) __attribute__((warn_unused_result));

#endif
