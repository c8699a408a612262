# nastavdoc: YAML dossiers -> PDF paperwork of a school mentoring programme.
# Targets: all demo test (check) asan bench format lint install clean. See README.md.

PKGS     := yaml-0.1 libqrencode libsodium
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
# Warnings are errors for developers (a git checkout); a packager building
# from a tarball, or anyone with WERROR=, gets them as warnings.
WERROR   ?= $(if $(wildcard .git),-Werror)
# CPPFLAGS, CFLAGS and LDFLAGS may come from the environment (Debian's
# hardening flags); the language and warnings always apply.
ALL_CFLAGS = $(CPPFLAGS) $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Wall -Wextra $(WERROR) -Wshadow -Wmissing-prototypes \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# make install: PREFIX/bin/nastavdoc, its data in PREFIX/share/nastavdoc (found
# from the binary's own place first, so DESTDIR staging and moved trees work).
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
DATADIR  := $(PREFIX)/share/nastavdoc
MANDIR   := $(PREFIX)/share/man
# Debian ships no .pc for libhpdf, libhyphen, libunistring or libcsv: link them by name.
# libqrencode is not linked: src/qrcode.c loads it (dlopen) when a document
# draws a QR code, by the soname of the library the build finds.
LIBS     := $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml) -lhpdf -lhyphen -lunistring -lcsv -lm -ldeflate -lsodium
QR_SONAME := $(shell objdump -p "$$(pkg-config --variable=libdir libqrencode 2>/dev/null)/libqrencode.so" 2>/dev/null | sed -n 's/^ *SONAME *//p')
# STATIC_LIBS=yes (the default): each library whose static archive is
# installed (Debian's -dev packages ship one for libyaml, libhyphen,
# libunistring, libcsv, libdeflate and libsodium; libhpdf and libqrencode have none) is
# linked into the program. Every shared library costs each run of the
# program its loading and relocation: about 1.5 ms and 35 page faults of an
# order's 12 ms (scripts/bench.sh). STATIC_LIBS=no links every one
# dynamically, as a distribution's package would.
STATIC_LIBS ?= yes
STATIC_AS := yaml hyphen unistring csv deflate sodium
# -lNAME, or -l:libNAME.a when NAME is in STATIC_AS and the compiler finds its archive
static_lib = $(if $(and $(filter $(1),$(STATIC_AS)),$(filter /%,$(shell $(CC) -print-file-name=lib$(1).a))),-l:lib$(1).a,-l$(1))
LINK_LIBS := $(if $(filter yes,$(STATIC_LIBS)),$(foreach f,$(LIBS),$(if $(filter -l%,$(f)),$(call static_lib,$(f:-l%=%)),$(f))),$(LIBS))
LDLIBS   += $(LINK_LIBS)
CMOCKA   := $(shell pkg-config --cflags --libs cmocka 2>/dev/null || echo -lcmocka)
VERSION  := 0.1.0

SRC      := $(wildcard src/*.c src/kinds/*.c)
OBJ      := $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
LIBOBJ   := $(filter-out $(BUILD)/main.o,$(OBJ))
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
HYPH_SRC := /usr/share/hyphen/hyph_ru_RU.dic
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all demo test check asan bench format lint clean deps units install uninstall FORCE

TEMPLATES_C := $(patsubst templates/%.yaml,build/templates/%.ynb,$(wildcard templates/*.yaml))

all: $(BUILD)/nastavdoc nastavdoc build/hyph_ru_RU.hyb $(TEMPLATES_C)

# ./nastavdoc is the program a user runs; it finds fonts/, templates/ and
# build/hyph_ru_RU.hyb next to itself. Copied beside it and renamed: cp over
# a program that runs (a watch, a batch) fails with "Text file busy".
nastavdoc: $(BUILD)/nastavdoc
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/nastavdoc: $(OBJ) $(BUILD)/linklibs
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# The libraries as linked (STATIC_LIBS): the program is linked again when
# they change (make STATIC_LIBS=no after a plain make).
$(BUILD)/linklibs: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(LINK_LIBS)" ] || echo "$(LINK_LIBS)" >$@

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DNASTAVDOC_VERSION='"$(VERSION)"' -MMD -MP -c $< -o $@

# The data folder compiled in: the last place the program looks. util.o is
# rebuilt when it changes (make install PREFIX=… after a plain make).
$(BUILD)/util.o: ALL_CFLAGS += -DNASTAVDOC_DATADIR='"$(DATADIR)"'
$(BUILD)/qrcode.o: ALL_CFLAGS += $(if $(QR_SONAME),-DQRCODE_SONAME='"$(QR_SONAME)"')
$(BUILD)/util.o: $(BUILD)/datadir
$(BUILD)/datadir: FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = "$(DATADIR)" ] || echo "$(DATADIR)" >$@
FORCE:

# Debian's dictionary is KOI8-R and not substring-expanded: libhyphen silently
# loses about a third of the breaks without this step (docs/hyphenation.md).
build/hyph_ru_RU.dic: $(HYPH_SRC)
	@mkdir -p $(@D)
	perl /usr/share/libhyphen/substrings.pl $< $@.tmp KOI8-R 2 2 >/dev/null
	mv $@.tmp $@

# The expanded patterns compiled into libhyphen's state machine, which the
# program reads without parsing (docs/hyphenation.md). The compiler is
# text.c's own text_hyph_compile, built from the sources with plain flags.
build/hyph_ru_RU.hyb: build/hyph_ru_RU.dic build/tools/hyph_compile
	build/tools/hyph_compile build/hyph_ru_RU.dic $@.tmp
	mv $@.tmp $@

build/tools/hyph_compile: tools/hyph_compile.c src/text.c src/text.h src/util.c src/util.h src/diag.c src/diag.h \
                          src/hash.c src/hash.h src/strtab.c src/strtab.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $(filter %.c,$^) $(LDLIBS)

# The built-in templates' trees, which the program reads without libyaml when
# they hold the template's present text (src/yaml_compiled.h). The compiler
# is built from the loader's sources with plain flags, like hyph_compile.
YAML_COMPILE_SRC := tools/yaml_compile.c src/yaml_compiled.c src/yaml_load.c src/csv_load.c \
                    src/util.c src/diag.c src/hash.c src/strtab.c
build/templates/%.ynb: templates/%.yaml build/tools/yaml_compile
	@mkdir -p $(@D)
	build/tools/yaml_compile $< $@.tmp
	mv $@.tmp $@

build/tools/yaml_compile: $(YAML_COMPILE_SRC) src/yaml_compiled.h src/yaml_load.h src/csv_load.h \
                          src/util.h src/diag.h src/hash.h src/strtab.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DNASTAVDOC_VERSION='"$(VERSION)"' $(LDFLAGS) -Isrc -o $@ \
	    $(YAML_COMPILE_SRC) $(LDLIBS)

# make bench's clock: a command's median wall and CPU time and peak memory.
build/tools/timeit: tools/timeit.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $^ $(LDLIBS) $(CMOCKA)

-include $(OBJ:.o=.d)

deps:
	@scripts/deps.sh

units: $(UNITS) build/hyph_ru_RU.dic build/hyph_ru_RU.hyb $(TEMPLATES_C)

demo: deps
	$(MAKE) all
	@scripts/demo.sh

test: deps
	$(MAKE) all units
	@tests/run.sh $(BUILD)

check: test

# Installs the program, its data (templates, fonts with their licences, the
# hyphenation dictionary, the declension rules) and the Russian man page.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/nastavdoc $(DESTDIR)$(BINDIR)/nastavdoc
	for d in fonts templates data; do \
	    if [ -d $$d ]; then rm -rf $(DESTDIR)$(DATADIR)/$$d && cp -R $$d $(DESTDIR)$(DATADIR)/ && \
	    chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/$$d; fi; done
	install -m 644 build/hyph_ru_RU.hyb $(DESTDIR)$(DATADIR)/hyph_ru_RU.hyb
	install -m 644 $(TEMPLATES_C) $(DESTDIR)$(DATADIR)/templates/
	install -m 644 docs/nastavdoc.1 $(DESTDIR)$(MANDIR)/man1/nastavdoc.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nastavdoc $(DESTDIR)$(MANDIR)/man1/nastavdoc.1
	rm -rf $(DESTDIR)$(DATADIR)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer, leaks on.
asan: deps
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" build/san/nastavdoc units build/hyph_ru_RU.hyb
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run.sh build/san

bench: deps
	$(MAKE) all build/tools/timeit
	@scripts/bench.sh

format:
	clang-format -i src/*.c src/*.h src/kinds/*.c tests/unit/*.c

lint:
	clang-tidy src/*.c src/kinds/*.c -- -std=c11 -Isrc $(shell pkg-config --cflags $(PKGS))
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 src

clean:
	rm -rf build nastavdoc out

# ---- Fuzzing and the clang sanitizer build (tests/fuzz/README.md) --------
# Kept in one block. clang's -fsanitize=undefined includes float-cast-overflow,
# which gcc's does not: `make asan` runs the tests under both builds.
# make fuzz FUZZ_TIME=1200   runs the harnesses in parallel.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 600
FUZZ_MAX_LEN ?= 65536
FUZZ_RSS_MB  ?= 1024
FUZZ_TIMEOUT ?= 10
FUZZ_FLAGS   ?=
FUZZ_BUILD   := build/fuzz
FUZZ_NAMES   := doc template csv compiled hyb
# fuzz_hyb's seed is the compiled dictionary (386 KB): it is let in whole
FUZZ_MAX_LEN_hyb ?= 1048576
FUZZ_SAN     := $(SAN)
FUZZ_OPTS     = -max_len=$(or $(FUZZ_MAX_LEN_$*),$(FUZZ_MAX_LEN)) -rss_limit_mb=$(FUZZ_RSS_MB) \
                -malloc_limit_mb=$(FUZZ_RSS_MB) -timeout=$(FUZZ_TIMEOUT) \
                -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/nastavdoc.dict \
                -print_final_stats=1 $(FUZZ_FLAGS)

.PHONY: fuzz fuzz-build fuzz-doc fuzz-template fuzz-csv fuzz-compiled fuzz-hyb asan-clang clang-check

asan: asan-clang

# clang and libFuzzer's runtime are installed here when missing (root), as
# the other packages are by deps.
clang-check:
	@scripts/deps.sh fuzz
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)(n & 0); }\n' | \
	    $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -x c - -o /dev/null 2>/dev/null || \
	    { echo "nastavdoc: нужен clang с libFuzzer: apt-get install --no-install-recommends clang libclang-rt-14-dev" >&2; exit 3; }

# Objects built for fuzzing carry coverage (fuzzer-no-link); the harnesses
# link libFuzzer's main. Paths are relative to the repository root.
fuzz-build: clang-check build/hyph_ru_RU.hyb $(TEMPLATES_C)
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES))

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_render.c tests/fuzz/fuzz_render.h $(LIBOBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# One harness: corpus in build/fuzz/corpus/NAME (kept between runs), seeds
# from the samples and templates, findings in build/fuzz/findings/NAME-*.
fuzz-doc fuzz-template fuzz-csv fuzz-compiled fuzz-hyb: fuzz-%: fuzz-build
	$(MAKE) --no-print-directory fuzz-run-$*

fuzz-run-%:
	tests/fuzz/seeds.sh $(FUZZ_BUILD)/seeds $*
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/findings
	UBSAN_OPTIONS=print_stacktrace=1 nice -n 10 $(FUZZ_BUILD)/fuzz_$* $(FUZZ_OPTS) \
	    -artifact_prefix=$(FUZZ_BUILD)/findings/$*- $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/seeds/$*

# The harnesses at once, FUZZ_TIME seconds each; logs in build/fuzz/NAME.log.
fuzz: fuzz-build
	@pids=""; for h in $(FUZZ_NAMES); do \
	    $(MAKE) --no-print-directory fuzz-run-$$h >$(FUZZ_BUILD)/$$h.log 2>&1 & pids="$$pids $$!"; \
	    echo "fuzz_$$h: $(FUZZ_TIME) s, log $(FUZZ_BUILD)/$$h.log"; done; \
	rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	for h in $(FUZZ_NAMES); do echo "== fuzz_$$h"; \
	    grep -E '^#[0-9]+.*(DONE|cov:)' $(FUZZ_BUILD)/$$h.log | tail -1; \
	    grep -E '^(stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' $(FUZZ_BUILD)/$$h.log; \
	done; ls $(FUZZ_BUILD)/findings; exit $$rc

# The tests under clang's ASan+UBSan, and the fuzz reproducers through the
# harnesses as well (tests/run.sh section 3b).
asan-clang: clang-check deps
	$(MAKE) BUILD=build/clang-san CC=$(FUZZ_CC) CFLAGS="-O1 -g $(FUZZ_SAN)" LDFLAGS="$(FUZZ_SAN)" \
	    build/clang-san/nastavdoc units build/hyph_ru_RU.hyb
	$(MAKE) fuzz-build
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    FUZZ_BIN=$(FUZZ_BUILD) tests/run.sh build/clang-san
