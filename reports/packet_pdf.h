/*
 * packet_pdf.h — a member's due-diligence packet for one contract as a
 * PDF (DOMAIN.md section 7): what the member files to justify its use of
 * the contract.  The facts come from packet_load() (core/packet.h); the
 * layout is the statements' (layout.h).
 */
#ifndef COOPLEDGER_PACKET_PDF_H
#define COOPLEDGER_PACKET_PDF_H

#include <sqlite3.h>
#include <stddef.h>

#include "date.h"
#include "err.h"
#include "packet.h"

/* The packet of member agency under contract number as of today:
 * solicitation and award, lead agency and vendor, the eligibility rules
 * with the member's outcome on each, the terms in force today, every
 * amendment (described by words) and the member's net purchases by
 * quarter with their total.  creation_date as in pdf.h.  CL_ENOTFOUND
 * when the agency is not a participant.  OUT: *out (caller frees with
 * free()), *len. */
ClCode pdf_packet(sqlite3 *db, const char *number, const char *agency, Date today,
		  ChangeWords words, const char *creation_date, unsigned char **out, size_t *len,
		  Err *e) __attribute__((warn_unused_result));

/* packet-CONTRACT-AGENCY.pdf, characters other than letters, digits, '.',
 * '_' and '-' as '-'.  Writes into buf (size n) and returns it. */
char *pdf_packet_filename(const char *number, const char *agency, char *buf, size_t n);

#endif
