# Fengqiao build. `make` leaves the executable at build/fengqiao;
# `make check` runs every test (see README.md).

CC ?= cc
CXX ?= c++
PKGS := libmicrohttpd jansson sqlite3 libsodium icu-uc icu-i18n opencc pangocairo libqrencode fontconfig geos
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(PKG_LIBS),)
$(error missing libraries: run scripts/install-deps.sh first)
endif

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-format-nonliteral
DEFS := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -D_FORTIFY_SOURCE=2
BASE_CFLAGS := $(WARN) $(DEFS) -fstack-protector-strong -Isrc -Ibuild/gen $(PKG_CFLAGS) -pthread
REL_CFLAGS := $(BASE_CFLAGS) -O2 -g
SAN_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LIBS := $(PKG_LIBS) -lcsv -pthread -lm -lstdc++
# libxlsxwriter (incident export to xlsx): Debian 12 ships its .pc file.
LIBS += $(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter -lz)
# xlsx input (io/xlsx_in.c: registry imports): the zip with libzip, its XML with libxml2.
XLSX_IN_CFLAGS := $(shell pkg-config --cflags libzip libxml-2.0 2>/dev/null)
REL_CFLAGS += $(XLSX_IN_CFLAGS)
SAN_CFLAGS += $(XLSX_IN_CFLAGS)
LIBS += $(shell pkg-config --libs libzip libxml-2.0 2>/dev/null || echo -lzip -lxml2)
# The release server allocates with jemalloc (libjemalloc-dev): glibc's malloc cost a quarter of
# the intake benchmark's CPU (docs/internals.md, "Memory allocator"). Not in the sanitizer build,
# whose AddressSanitizer brings its own allocator.
REL_LIBS := $(LIBS) -ljemalloc
# C++ only where a library has no C API for what we need: src/core/opencc_dict.cc reads OpenCC's
# dictionaries (core/opencc_dict.h). Same warnings and hardening as the C.
CXX_WARN := -std=c++17 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
REL_CXXFLAGS := $(CXX_WARN) $(DEFS) -fstack-protector-strong -Isrc $(PKG_CFLAGS) -pthread -O2 -g
SAN_CXXFLAGS := $(CXX_WARN) $(DEFS) -fstack-protector-strong -Isrc $(PKG_CFLAGS) -pthread -O1 -g \
	-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

SRC := $(sort $(wildcard src/*/*.c))
SRC_CXX := $(sort $(wildcard src/*/*.cc))
LIB_SRC := $(filter-out src/main.c,$(SRC))
# Migrations apply in the order of their file names (NNNN_name.sql), whatever their folder.
MIGRATIONS_ALL := $(wildcard src/*/migrations/*.sql)
MIGRATIONS := $(foreach n,$(sort $(notdir $(MIGRATIONS_ALL))),$(filter %/$(n),$(MIGRATIONS_ALL)))
WEB_SRC := $(shell find web/src web/public web/index.html web/package.json web/package-lock.json web/vite.config.js -type f 2>/dev/null)
UNIT_TESTS_SRC := $(sort $(wildcard tests/unit/*/test_*.c))

REL_OBJ := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) $(patsubst src/%.cc,build/obj/%.o,$(SRC_CXX))
SAN_OBJ := $(patsubst src/%.c,build/san/obj/%.o,$(LIB_SRC)) \
	$(patsubst src/%.cc,build/san/obj/%.o,$(SRC_CXX))
GEN_C := build/gen/migrations_data.c build/gen/web_data.c build/gen/openapi_data.c
UNIT_TESTS := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_TESTS_SRC))

.PHONY: all check san unit-tests web clean format format-check fuzz FORCE
FORCE:
all: build/fengqiao

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(DEFS) -O2 -o $@ $<

# The list of migration files, rewritten only when it changes: a migration removed (or renamed)
# rebuilds the embedded set too, which depending on the files alone would not.
build/gen/migrations.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(MIGRATIONS) >$@.tmp && { cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@; }

build/gen/migrations_data.c: build/tools/embed $(MIGRATIONS) build/gen/migrations.list Makefile
	@mkdir -p $(@D)
	@echo "  EMBED   $@"
	@build/tools/embed $@ fq_embedded_migrations --basename $(MIGRATIONS)

web/dist/index.html: $(WEB_SRC)
	@test -d web/node_modules || { echo "web/node_modules missing: run scripts/install-deps.sh" >&2; exit 1; }
	cd web && npm run --silent build
	@touch $@

web: web/dist/index.html

build/gen/openapi_data.c: build/tools/embed src/http/openapi.json
	@mkdir -p $(@D)
	@echo "  EMBED   $@"
	@build/tools/embed $@ fq_embedded_openapi --basename src/http/openapi.json

build/gen/web_data.c: build/tools/embed web/dist/index.html
	@mkdir -p $(@D)
	@echo "  EMBED   $@"
	@build/tools/embed $@ fq_embedded_web --strip web/dist/ $$(find web/dist -type f | LC_ALL=C sort)

build/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(REL_CFLAGS) -MMD -MP -c -o $@ $<

build/san/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC san  $<"
	@$(CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

build/obj/%.o: src/%.cc
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	@$(CXX) $(REL_CXXFLAGS) -MMD -MP -c -o $@ $<

build/san/obj/%.o: src/%.cc
	@mkdir -p $(@D)
	@echo "  CXX san $<"
	@$(CXX) $(SAN_CXXFLAGS) -MMD -MP -c -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(REL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

build/san/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC san  $<"
	@$(CC) $(SAN_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

GEN_REL_OBJ := build/obj/gen/migrations_data.o build/obj/gen/web_data.o build/obj/gen/openapi_data.o
GEN_SAN_OBJ := build/san/obj/gen/migrations_data.o build/san/obj/gen/web_data.o \
	build/san/obj/gen/openapi_data.o

build/fengqiao: build/obj/main.o $(REL_OBJ) $(GEN_REL_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(REL_LIBS)

# Benchmark programs linked with the release objects and the libraries above
# (bench/merge_quality.sh, bench/case_linkage.sh, ... build theirs with make).
build/bench/%: bench/%.c $(REL_OBJ) $(GEN_REL_OBJ)
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	@$(CC) $(REL_CFLAGS) -o $@ $^ $(REL_LIBS)

# The sanitizer build of the server, used by the API and crash tests.
build/san/fengqiao: build/san/obj/main.o $(SAN_OBJ) $(GEN_SAN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

build/san/tests/%: tests/unit/%.c tests/unit/fq_test.h $(SAN_OBJ) $(GEN_SAN_OBJ)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	@$(CC) $(SAN_CFLAGS) -Wno-missing-prototypes -Itests -o $@ $< $(SAN_OBJ) $(GEN_SAN_OBJ) \
		$$(pkg-config --cflags --libs cmocka) $(LIBS)

san: build/san/fengqiao
unit-tests: $(UNIT_TESTS)

check: build/fengqiao build/san/fengqiao $(UNIT_TESTS)
	scripts/run-tests.sh

# libFuzzer harnesses (clang): build/fuzz/fuzz_*; see fuzz/README.md.
FUZZ_CFLAGS := $(WARN) $(DEFS) -Isrc $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_CORE := $(filter-out src/core/geo.c,$(wildcard src/core/*.c))
FUZZ_CXX_OBJ := $(patsubst src/core/%.cc,build/fuzz/obj/%.o,$(wildcard src/core/*.cc))
fuzz: $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
build/fuzz/obj/%.o: src/core/%.cc
	@mkdir -p $(@D)
	@echo "  CXX fuzz $<"
	@clang++ $(CXX_WARN) $(DEFS) -Isrc $(PKG_CFLAGS) -g -O1 \
		-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr,function \
		-fno-sanitize-recover=undefined -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_CORE) $(FUZZ_CXX_OBJ)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	@clang $(FUZZ_CFLAGS) -Wno-missing-prototypes -o $@ $< $(FUZZ_CORE) $(FUZZ_CXX_OBJ) \
		$(PKG_LIBS) -lm -lstdc++

FORMAT_FILES = src/main.c $(SRC) $(SRC_CXX) $(wildcard src/*/*.h) tools/embed.c $(UNIT_TESTS_SRC) \
	$(wildcard tests/unit/*.h) $(FUZZ_SRC)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build web/dist

-include $(shell find build -name '*.d' 2>/dev/null)
