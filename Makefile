# nastavdoc: YAML dossiers -> PDF paperwork of a school mentoring programme.
# Targets: all demo test asan bench format lint clean. See README.md.

PKGS     := yaml-0.1
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
# CFLAGS may come from the command line; the language and warnings always apply.
ALL_CFLAGS = $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Debian ships no .pc for libhpdf, libhyphen or libunistring: link them by name.
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml) -lhpdf -lhyphen -lunistring -lm
CMOCKA   := $(shell pkg-config --cflags --libs cmocka 2>/dev/null || echo -lcmocka)
VERSION  := 0.1.0

SRC      := $(wildcard src/*.c src/kinds/*.c)
OBJ      := $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
LIBOBJ   := $(filter-out $(BUILD)/main.o,$(OBJ))
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
HYPH_SRC := /usr/share/hyphen/hyph_ru_RU.dic
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all demo test asan bench format lint clean deps units

all: $(BUILD)/nastavdoc nastavdoc build/hyph_ru_RU.dic

# ./nastavdoc is the program a user runs; it finds fonts/, templates/ and
# build/hyph_ru_RU.dic next to itself.
nastavdoc: $(BUILD)/nastavdoc
	cp $< $@

$(BUILD)/nastavdoc: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DNASTAVDOC_VERSION='"$(VERSION)"' -MMD -MP -c $< -o $@

# Debian's dictionary is KOI8-R and not substring-expanded: libhyphen silently
# loses about a third of the breaks without this step (FACTS.md §4).
build/hyph_ru_RU.dic: $(HYPH_SRC)
	@mkdir -p $(@D)
	perl /usr/share/libhyphen/substrings.pl $< $@.tmp KOI8-R 2 2 >/dev/null
	mv $@.tmp $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $^ $(LDLIBS) $(CMOCKA)

-include $(OBJ:.o=.d)

deps:
	@scripts/deps.sh

units: $(UNITS) build/hyph_ru_RU.dic

demo: deps
	$(MAKE) all
	@scripts/demo.sh

test: deps
	$(MAKE) all units
	@tests/run.sh $(BUILD)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer, leaks on.
asan: deps
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" build/san/nastavdoc units build/hyph_ru_RU.dic
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run.sh build/san

bench: deps
	$(MAKE) all
	@scripts/bench.sh

format:
	clang-format -i src/*.c src/*.h src/kinds/*.c tests/unit/*.c

lint:
	clang-tidy src/*.c src/kinds/*.c -- -std=c11 -Isrc $(shell pkg-config --cflags $(PKGS))
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 src

clean:
	rm -rf build nastavdoc out
