# coopledger — GNU Makefile.
#
#   make            build ./coopledger (installs missing Debian packages first)
#   make test       unit tests (cmocka) and end-to-end tests of the real binary
#   make test SANITIZE=1   the same under AddressSanitizer + UBSan
#   make demo       build, create demo.db with the Kansas furniture program and serve it
#   make bench      performance figures
#   make soak       the server under sustained mixed load (SOAK_SECONDS=60 SOAK_CONNECTIONS=64)
#   make lint       cppcheck, clang-tidy and a clang-format check;   make format   clang-format

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   := build/rel
SANFLAGS :=
endif

PKGS    := sqlite3 libcjson libsodium libmicrohttpd libesmtp-1.0 openssl libzip expat xlsxwriter libqpdf \
           harfbuzz harfbuzz-subset
CC      ?= cc
CFLAGS  := -std=c11 -Wall -Wextra -Werror -O2 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -MMD -MP $(SANFLAGS) -Icore -Itemplate -Iweb -Ireports -Imail -I$(BUILD)/gen \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lhpdf -lm
LDFLAGS := $(SANFLAGS)
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# The layers, one library each (tools/layers.sh checks their includes):
#   cli -> web, reports, mail, core;  web -> reports, mail, template, core;
#   mail -> template, core;  reports -> core;  template -> core;  core -> none.
CORE_SRC := $(wildcard core/*.c)
TMPL_SRC := $(wildcard template/*.c)
REP_SRC  := $(wildcard reports/*.c)
MAIL_SRC := $(wildcard mail/*.c)
WEB_SRC  := $(wildcard web/*.c)
CLI_SRC  := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
EMBED_IN := $(sort $(wildcard migrations/*.sql)) demo/kansas-districts.csv \
            $(sort $(wildcard templates/*.mustache)) $(sort $(wildcard templates/mail/*.mustache)) \
            $(sort $(wildcard web/static/*))

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
TMPL_OBJ := $(TMPL_SRC:%.c=$(BUILD)/%.o)
REP_OBJ  := $(REP_SRC:%.c=$(BUILD)/%.o)
MAIL_OBJ := $(MAIL_SRC:%.c=$(BUILD)/%.o)
WEB_OBJ  := $(WEB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BIN      := $(BUILD)/coopledger

LIBCORE  := $(BUILD)/libcore.a
LIBTMPL  := $(BUILD)/libtemplate.a
LIBREP   := $(BUILD)/libreports.a
LIBMAIL  := $(BUILD)/libmail.a
LIBWEB   := $(BUILD)/libweb.a
# in link order: each library before the ones it uses
ALL_LIBS := $(LIBWEB) $(LIBREP) $(LIBMAIL) $(LIBTMPL) $(LIBCORE)
DEPS_OK  := build/.deps-ok

.SECONDARY:
.PHONY: all build deps test unit e2e demo bench lint format clean
.DEFAULT_GOAL := all

all: $(DEPS_OK)
	@$(MAKE) --no-print-directory build
	@if [ "$(SANITIZE)" != 1 ]; then ln -sf $(BIN) coopledger; fi

build: $(BIN) $(UNIT_BIN)
	@:

# Missing Debian packages are installed once (apt-get as root); the stamp
# is redone whenever the list changes.
deps $(DEPS_OK): tools/deps.sh
	@tools/deps.sh
	@mkdir -p build && touch $(DEPS_OK)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -c $< -o $@

$(BUILD)/gen/embedded.c: tools/embed.sh $(EMBED_IN)
	@mkdir -p $(dir $@)
	tools/embed.sh $(EMBED_IN) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
$(LIBTMPL): $(TMPL_OBJ)
$(LIBREP): $(REP_OBJ)
$(LIBMAIL): $(MAIL_OBJ)
$(LIBWEB): $(WEB_OBJ)
$(ALL_LIBS):
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(ALL_LIBS) $(LDLIBS)

# Unit tests of core/ link libcore.a alone: the money rules are testable
# with the domain and nothing else.  The others name the layers they test.
UNIT_LIBS := $(LIBCORE)
$(BUILD)/tests/test_mustache: UNIT_LIBS := $(LIBTMPL) $(LIBCORE)
$(BUILD)/tests/test_mime $(BUILD)/tests/test_smtp: UNIT_LIBS := $(LIBMAIL) $(LIBTMPL) $(LIBCORE)
$(BUILD)/tests/test_csvout $(BUILD)/tests/test_chart $(BUILD)/tests/test_pdfdoc $(BUILD)/tests/test_cache: \
	UNIT_LIBS := $(ALL_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(UNIT_LIBS) $(LDLIBS) $(TEST_LDLIBS)

test: all
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

DEMO_LISTEN ?= 127.0.0.1:8080

demo: all
	@rm -rf demo.db demo.db-wal demo.db-shm demo.db.uploads
	./coopledger --db demo.db demo
	@echo
	@echo "Open http://$(DEMO_LISTEN)/ and sign in with one of the accounts above."
	./coopledger --db demo.db serve --listen $(DEMO_LISTEN)

BENCH_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/*.c))

bench: all
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench
	@$(BUILD)/bench/bench

$(BUILD)/bench/bench: $(BENCH_OBJ) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(LIBCORE) $(LDLIBS)

include tests/soak/soak.mk
include fuzz/fuzz.mk

lint: $(DEPS_OK)
	tools/layers.sh
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr --suppress=missingIncludeSystem -Icore \
	  '-DcJSON_ArrayForEach(e,a)=for(e=(a)?(a)->child:0;e;e=e->next)' $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- $(filter-out -MMD -MP,$(CFLAGS))
	clang-format --dry-run -Werror $(FORMAT_SRC)
	$(MAKE) --no-print-directory fuzz-build

LINT_SRC = $(CORE_SRC) $(TMPL_SRC) $(REP_SRC) $(MAIL_SRC) $(WEB_SRC) $(CLI_SRC) bench/*.c
FORMAT_SRC = core/*.[ch] template/*.[ch] cli/*.[ch] web/*.[ch] $(wildcard reports/*.[ch] mail/*.[ch]) \
             tests/unit/*.[ch] bench/*.[ch]

format:
	clang-format -i $(FORMAT_SRC)

clean:
	rm -rf build coopledger

-include $(CORE_OBJ:.o=.d) $(TMPL_OBJ:.o=.d) $(REP_OBJ:.o=.d) $(MAIL_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(WEB_OBJ:.o=.d) $(UNIT_SRC:%.c=$(BUILD)/%.d) $(BENCH_OBJ:.o=.d)
