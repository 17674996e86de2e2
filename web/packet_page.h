/*
 * packet_page.h — the due-diligence packet download, a contract's OCDS
 * release package, and the switch that publishes its members' orders
 * there (packet_page.c).
 */
#ifndef COOPLEDGER_PACKET_PAGE_H
#define COOPLEDGER_PACKET_PAGE_H

#include "date.h"
#include "http.h"

/* GET /agencies/:code/contracts/:number/packet.pdf: staff and that
 * member; anyone else 404. */
int page_packet(Req *r);
/* GET /catalog/:number/ocds.json: public; 404 for an unknown or inactive
 * contract. */
int page_ocds(Req *r);
/* POST /api/v1/contracts/:number/ocds-publishing {"publish_purchases":
 * true|false}: admin; the setting as it now stands. */
int api_ocds_publishing(Req *r);
/* POST /contracts/:number/ocds-publishing (form field publish_purchases
 * "yes" or "no"): admin; back to the contract page. */
int page_ocds_publishing(Req *r);

/* An amendment's partial terms document (JSON text) in words, as the
 * contract page writes it (encode_change_words()); a ChangeWords.  Caller
 * frees; NULL when out of memory. */
char *packet_change_words(const char *changes_json, Date ends);

#endif
