/*
 * packet.h — what a member's due-diligence packet for one contract holds
 * (DOMAIN.md section 7): the solicitation and award, the lead agency and
 * vendor, the eligibility rules of section 4.4 with the member's outcome
 * on each, the terms in force today and every amendment, and the member's
 * net purchases by quarter.  No drawing here: reports/ lays it out.
 */
#ifndef COOPLEDGER_PACKET_H
#define COOPLEDGER_PACKET_H

#include <sqlite3.h>

#include "amend.h"
#include "date.h"
#include "err.h"
#include "money.h"
#include "stmtdata.h"

/* An amendment's partial terms document (canonical JSON) in words; ends
 * is the term's last day once it is in force.  The caller of a packet or
 * an OCDS package gives it (the wording lives with the pages); the
 * answer is freed with free(), NULL when out of memory. */
typedef char *(*ChangeWords)(const char *changes_json, Date ends);

/* Net purchases of one calendar quarter. */
typedef struct PacketQuarter {
	Quarter q;
	int lines;
	Money net;
} PacketQuarter;

typedef struct Packet {
	TermsHistory h;
	const Terms *now; /* in force today (points into h) */
	Date today;
	Party lead, vendor, member;
	int public_entity; /* the member's */
	Date joined;	   /* the member joined the contract on */
	int in_term;	   /* today lies within the term in force */
	int terminated;	   /* a termination is in force today */
	PacketQuarter *quarter;
	int nquarter;
	Money total;
} Packet;

/* The packet of member agency under contract number as of today, with
 * the member's live lines invoiced up to today summed by quarter of
 * invoice date (quarters with lines only, oldest first).  CL_ENOTFOUND
 * when there is no such contract or agency, or the agency is not a
 * participant of it.  Free with packet_free(), also on failure.  OUT: *p. */
ClCode packet_load(sqlite3 *db, const char *number, const char *agency, Date today, Packet *p,
		   Err *e) __attribute__((warn_unused_result));

void packet_free(Packet *p);

#endif
