# fuzz/fuzz.mk — libFuzzer harnesses (fuzz/fuzz_<name>.c), built with clang
# into build/fuzz/.  Included by the top-level Makefile.
#
#   make fuzz-build             build every harness and its seed corpus
#   make fuzz                   run each target for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_TARGETS="csv import" FUZZ_SECONDS=20
#   make fuzz-repro FILE=build/fuzz/crashes/csv/crash-...   [TARGET=csv]

FUZZ_TARGETS ?= money date terms csv import mustache http_form json_api xlsx
FUZZ_SECONDS ?= 60
FUZZ_CC	     ?= clang
FUZZ	     := build/fuzz

FUZZ_PKGS   := $(PKGS)
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP \
	       -Icore -Itemplate -Iweb -Ireports -Imail -I$(FUZZ)/gen \
	       $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_LDLIBS := $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null) -lcsv -lhpdf -lm

# The code under test: every layer but cli/, in one library with coverage
# instrumentation but no fuzzer main.  Its own warnings are gcc's business.
FUZZ_LIB_SRC := $(wildcard core/*.c) $(wildcard template/*.c) $(wildcard web/*.c) \
		$(wildcard reports/*.c) $(wildcard mail/*.c)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ)/obj/%.o) $(FUZZ)/obj/gen/embedded.o
FUZZ_EMBED   := $(sort $(wildcard migrations/*.sql)) demo/kansas-districts.csv \
		$(sort $(wildcard templates/*.mustache)) \
		$(sort $(wildcard templates/mail/*.mustache)) $(sort $(wildcard web/static/*))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ)/bin/fuzz_%)
# clang and its runtime come with tools/deps.sh, like the rest.
FUZZ_DEPS_OK := build/.deps-ok
FUZZ_SEEDED  := $(FUZZ_TARGETS:%=$(FUZZ)/corpus/%/.seeded)

.PHONY: fuzz fuzz-build fuzz-repro

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDED)
	@:

fuzz: fuzz-build
	@FUZZ=$(FUZZ) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The target comes from the path (crashes/<name>/, corpus/<name>/,
# regress/<name>-...) unless TARGET names it.
fuzz-repro:
	@test -n "$(FILE)" || { echo "usage: make fuzz-repro FILE=path [TARGET=name]" >&2; exit 2; }
	@t="$(TARGET)"; [ -n "$$t" ] || t=$$(fuzz/run.sh --target-of "$(FILE)") || exit 2; \
	$(MAKE) --no-print-directory $(FUZZ)/bin/fuzz_$$t && \
	FUZZ=$(FUZZ) fuzz/run.sh --repro "$$t" "$(FILE)"

$(FUZZ)/obj/%.o: %.c | $(FUZZ_DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ)/gen/embedded.c: tools/embed.sh $(FUZZ_EMBED) | $(FUZZ_DEPS_OK)
	@mkdir -p $(dir $@)
	tools/embed.sh $(FUZZ_EMBED) > $@.tmp && mv $@.tmp $@

$(FUZZ)/obj/gen/embedded.o: $(FUZZ)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ)/libcoopledger.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# A harness: -Werror holds for the fuzz/ code.
$(FUZZ)/bin/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ)/libcoopledger.a
	@mkdir -p $(dir $@) $(FUZZ)/obj/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MF $(FUZZ)/obj/fuzz/fuzz_$*.d -MT $@ -Wall -Wextra -Werror \
		-fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ)/libcoopledger.a $(FUZZ_LDLIBS)

# The seed generator runs on the build machine: no instrumentation.
$(FUZZ)/bin/mkseeds: fuzz/mkseeds.c | $(FUZZ_DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -Wall -Wextra -Werror -O1 -g -D_DEFAULT_SOURCE -o $@ $< \
		$(shell pkg-config --cflags --libs libcjson 2>/dev/null)

# ---- seed corpora: committed seeds plus seeds drawn from tests/data ----

FUZZ_CSV_DATA  := $(sort $(wildcard tests/data/*/*.csv tests/data/*/*/*.csv))
FUZZ_TERMS_DATA := $(sort $(wildcard tests/data/*/terms*.json tests/data/*/*/terms*.json))
FUZZ_SPEC_DATA := $(sort $(wildcard tests/data/mustache-spec/*.json))
FUZZ_IMPORT_DATA := $(sort $(wildcard tests/data/import/*.csv))

# seed_copy(name): the committed seeds of fuzz/seeds/<name>/, if any, and
# the inputs of fuzz/regress/<name>-* that once failed: every run replays
# them first.
fuzz_seed_copy = echo "seeds $(1)" && mkdir -p $(FUZZ)/corpus/$(1) && \
	if [ -d fuzz/seeds/$(1) ]; then cp fuzz/seeds/$(1)/* $(FUZZ)/corpus/$(1)/; fi && \
	for f in fuzz/regress/$(1)-*; do [ ! -f "$$f" ] || cp "$$f" $(FUZZ)/corpus/$(1)/; done

$(FUZZ)/corpus/money/.seeded: $(FUZZ)/bin/mkseeds $(FUZZ_CSV_DATA) $(FUZZ_TERMS_DATA) \
			      $(wildcard fuzz/seeds/money/* fuzz/regress/money-*)
	@$(call fuzz_seed_copy,money)
	@$(FUZZ)/bin/mkseeds csvcol $(@D) list_amount,invoiced_amount,freight_amount,tax_amount,amount \
		$(FUZZ_CSV_DATA)
	@$(FUZZ)/bin/mkseeds jsonstr $(@D) from,rate,min,price_tolerance $(FUZZ_TERMS_DATA)
	@touch $@

$(FUZZ)/corpus/date/.seeded: $(FUZZ)/bin/mkseeds $(FUZZ_CSV_DATA) $(FUZZ_TERMS_DATA) \
			     $(wildcard fuzz/seeds/date/* fuzz/regress/date-*)
	@$(call fuzz_seed_copy,date)
	@$(FUZZ)/bin/mkseeds csvcol $(@D) invoice_date,joined,received,quarter,period $(FUZZ_CSV_DATA)
	@$(FUZZ)/bin/mkseeds jsonstr $(@D) start,end $(FUZZ_TERMS_DATA)
	@touch $@

$(FUZZ)/corpus/terms/.seeded: $(FUZZ_TERMS_DATA) $(wildcard fuzz/seeds/terms/* fuzz/regress/terms-*)
	@$(call fuzz_seed_copy,terms)
	@for f in $(FUZZ_TERMS_DATA); do cp $$f $(@D)/$$(echo $$f | tr / _); done
	@touch $@

$(FUZZ)/corpus/csv/.seeded: $(FUZZ_CSV_DATA) $(wildcard fuzz/seeds/csv/* fuzz/regress/csv-*)
	@$(call fuzz_seed_copy,csv)
	@for f in $(FUZZ_CSV_DATA); do cp $$f $(@D)/$$(echo $$f | tr / _); done
	@touch $@

$(FUZZ)/corpus/import/.seeded: $(FUZZ)/bin/mkseeds $(FUZZ_IMPORT_DATA) \
			       $(wildcard tests/data/import/*.json) \
			       $(wildcard fuzz/seeds/import/* fuzz/regress/import-*)
	@$(call fuzz_seed_copy,import)
	@$(FUZZ)/bin/mkseeds import $(@D) $(FUZZ_IMPORT_DATA)
	@touch $@

FUZZ_TEMPLATES := $(sort $(wildcard templates/*.mustache templates/mail/*.mustache))

$(FUZZ)/corpus/mustache/.seeded: $(FUZZ)/bin/mkseeds $(FUZZ_SPEC_DATA) $(FUZZ_TEMPLATES) \
				 $(wildcard fuzz/seeds/mustache/* fuzz/regress/mustache-*)
	@$(call fuzz_seed_copy,mustache)
	@$(FUZZ)/bin/mkseeds mustache $(@D) $(FUZZ_SPEC_DATA)
	@for f in $(FUZZ_TEMPLATES); do cp $$f $(@D)/$$(echo $$f | tr / _); done
	@touch $@

$(FUZZ)/corpus/xlsx/.seeded: $(wildcard fuzz/seeds/xlsx/* fuzz/regress/xlsx-*)
	@$(call fuzz_seed_copy,xlsx)
	@touch $@

$(FUZZ)/corpus/http_form/.seeded: $(FUZZ)/bin/mkseeds $(FUZZ_IMPORT_DATA) \
				  $(wildcard fuzz/seeds/http_form/* fuzz/regress/http_form-*)
	@$(call fuzz_seed_copy,http_form)
	@$(FUZZ)/bin/mkseeds upload $(@D) tests/data/import/basic.csv tests/data/import/bom.csv \
		tests/data/import/crlf.csv tests/data/import/win1252.csv
	@touch $@

$(FUZZ)/corpus/json_api/.seeded: $(wildcard fuzz/seeds/json_api/* fuzz/regress/json_api-*)
	@$(call fuzz_seed_copy,json_api)
	@touch $@

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ)/obj/fuzz/fuzz_%.d)
