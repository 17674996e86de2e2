# make soak: the real server under sustained mixed load, with a command-line
# import into the same database meanwhile (tests/soak/soak.mjs); not part of
# make test.  SOAK_SECONDS (60) and SOAK_CONNECTIONS (64) change the run.
.PHONY: soak

soak: all
	@COOPLEDGER_BIN=$(CURDIR)/$(BIN) node tests/soak/soak.mjs
