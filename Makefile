# libpoints - one entry point: all, check, demo, bench, install, clean;
# python and java build the bindings (bindings/*/*.mk).
PREFIX ?= /usr/local
CC ?= cc
# The version is the headers' (POINTS_VERSION); the soname's major goes up
# whenever a result record's layout changes (README, "Compatibility").
VERSION := $(shell sed -n 's/^\#define POINTS_VERSION "\(.*\)"$$/\1/p' include/points/common.h)
SOMAJOR = 1

PKGS = sqlite3 uuid libsodium
# hledger: tests/check_export.c reads the journal export back with it.
DEBS = libsqlite3-dev uuid-dev libsodium-dev check pkg-config mandoc \
  swig default-jdk-headless junit4 hledger
# The first python3 on PATH builds the Python binding; Debian's needs
# python3-dev for its headers, another python3 brings its own.
PYTHON ?= python3
PY_INCLUDE := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
ifeq ($(wildcard $(PY_INCLUDE)/Python.h),)
DEBS += python3-dev
endif

CSTD = -std=c99 -D_POSIX_C_SOURCE=200809L
# Warnings are errors in CI (.ci/run sets WERROR=1) and in SANITIZE=1
# builds, not in a user's build: a newer compiler's new warning must not
# stop one.
WERROR ?= $(if $(filter 1,$(SANITIZE)),1,0)
WERROR_FLAG = $(if $(filter 1,$(WERROR)),-Werror)
WARN = -Wall -Wextra $(WERROR_FLAG)
OPT ?= -O2 -g
ifeq ($(SANITIZE),1)
OPT = -O1 -g -fno-omit-frame-pointer
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
endif
# COVERAGE=1: everything also built with --coverage, so that whatever
# then runs counts (make coverage-report); atomic counters, as the
# threads' suites would otherwise leave counts gcov cannot read.
ifeq ($(COVERAGE),1)
COV_FLAGS = --coverage -fprofile-update=atomic
SAN += $(COV_FLAGS)
endif
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(SAN) -Iinclude -Ilib -Ibuild/gen $(CFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lsqlite3 -luuid -lsodium)
# SQLite, libuuid and libsodium linked statically (their Debian -dev
# packages ship the archives), for the wheel's extension and the JNI
# library: then they need only the C library.
STATIC_PKG_LIBS = $(shell pkg-config --libs-only-L $(PKGS) 2>/dev/null) \
	-Wl,-Bstatic -lsqlite3 -luuid -lsodium -Wl,-Bdynamic -lm -pthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

LIB_LAYERS = util store core ledger rules outbox mall activity report
# libpoints_pg.so (lib/pg), built when libpq's headers are there
PG_CONFIG ?= pg_config
PG_INC := $(shell $(PG_CONFIG) --includedir 2>/dev/null)
PG_BIN := $(shell $(PG_CONFIG) --bindir 2>/dev/null)
HAVE_PG := $(if $(wildcard $(PG_INC)/libpq-fe.h),1)
PG_SOMAJOR = 0
LIB_SRC = $(sort $(foreach l,$(LIB_LAYERS),$(wildcard lib/$(l)/*.c)))
LIB_OBJ = $(LIB_SRC:lib/%.c=build/lib/%.o)
LIB_PIC = $(LIB_SRC:lib/%.c=build/pic/%.o)
# The public headers: points.h gathers include/points/*.h; the backend
# interface and the fault store are in include/points/sys/.
PUBLIC_HDRS = $(sort $(wildcard include/*.h include/points/*.h include/points/sys/*.h))
HDRS = $(PUBLIC_HDRS) $(wildcard lib/*/*.h)

TEST_SRC = $(sort $(wildcard tests/check_*.c))
TEST_BIN = $(TEST_SRC:tests/%.c=build/tests/%)
TEST_UTIL = tests/testutil.c
CLI_SRC = $(sort $(wildcard cli/*.c))
CLI_BIN = build/cli/points
EXAMPLE_SRC = $(sort $(wildcard examples/*.c))
EXAMPLE_BIN = $(EXAMPLE_SRC:examples/%.c=build/examples/%)
BENCH_SRC = $(sort $(wildcard bench/*.c))
BENCH_BIN = $(BENCH_SRC:bench/%.c=build/bench/%)

# Under SANITIZE=1 a fault loop's point costs about five times what it
# does in a plain build: the loops of check_fault try the first point
# and then every 4th, from an offset each run draws and prints
# (tests/testutil.h, tu_fault_next); the plain pass tries every one.
FAULT_STRIDE = $(if $(filter 1,$(SANITIZE)),4,1)
SANENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  POINTS_TEST_FAULT_STRIDE=$(FAULT_STRIDE)

.PHONY: all deps deb check-deb analyze check check-c check-partitions check-torture check-pg torture mutate check-cel-spec check-cel-diff fuzz-cel fuzz-cel-ci fuzz-record fuzz-record-ci fuzz-uri fuzz-uri-ci fuzz-import fuzz-import-ci bench-cel bench-mall bench-export update-cel-spec check-deploy check-bindings check-headers check-layers check-iterator-types check-static demo bench install uninstall clean coverage coverage-report examples lint-man run-examples

all: lib/libpoints.so lib/libpoints.a $(if $(HAVE_PG),lib/libpoints_pg.so) $(CLI_BIN)

# Install the Debian packages the build needs, only those missing.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build/lib/%.o: lib/%.c $(HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fvisibility=hidden $(PKG_CFLAGS) -c $< -o $@

build/pic/%.o: lib/%.c $(HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden $(PKG_CFLAGS) -c $< -o $@

# The modules of lib/, one POINTS_MODULE_LISTED(name) line for each
# POINTS_MODULE(name) line (core/module.h), for the registry
# (core/module.c), which refers to every one: a program linked
# statically with libpoints.a gets them all, as one linked with the .so
# does, and adding a module edits no table.  A POINTS_MODULE line
# written otherwise (indented, or with more on it), which the list
# would miss, stops the build.  Rewritten only when the list changes,
# so that only module.c is compiled again then.
MODULE_LIST = build/gen/points_modules.def
$(MODULE_LIST): $(LIB_SRC)
	@mkdir -p $(@D)
	@sed -n 's/^POINTS_MODULE(\([A-Za-z0-9_]*\))$$/POINTS_MODULE_LISTED(\1)/p' \
	  $(LIB_SRC) > $@.tmp
	@[ "$$(grep -h '^[[:space:]]*POINTS_MODULE(' $(LIB_SRC) | wc -l)" = "$$(wc -l < $@.tmp)" ] || \
	  { echo "$@: POINTS_MODULE(name) stands alone at the start of its line:"; \
	    grep -n '^[[:space:]]*POINTS_MODULE(' $(LIB_SRC) | grep -v ':POINTS_MODULE([A-Za-z0-9_]*)$$'; \
	    rm -f $@.tmp; exit 1; }
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
build/lib/core/module.o build/pic/core/module.o: $(MODULE_LIST)

lib/libpoints.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The same position-independent objects, archived, for the Python and
# Java bindings: each links the library into itself, so that copying the
# extension (or the jar and libpoints_jni.so) elsewhere is enough.
build/libpoints_pic.a: $(LIB_PIC)
	rm -f $@ && ar rcs $@ $^

lib/libpoints.so: $(LIB_PIC)
	$(CC) -shared $(SAN) -Wl,-soname,libpoints.so.$(SOMAJOR) -o lib/libpoints.so.$(VERSION) $^ $(PKG_LIBS)
	ln -sf libpoints.so.$(VERSION) lib/libpoints.so.$(SOMAJOR)
	ln -sf libpoints.so.$(VERSION) lib/libpoints.so

# The PostgreSQL store (lib/pg, pg/pg.h): libpoints_pg.so, a library of
# its own that links libpq, built when libpq's headers are there
# (libpq-dev).  libpoints.so loads it for postgresql:// URIs.
PG_SRC = $(wildcard lib/pg/*.c)
PG_PIC = $(PG_SRC:lib/%.c=build/pic/%.o)

build/pic/pg/%.o: lib/pg/%.c $(HDRS) lib/pg/pg.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden -I$(PG_INC) -c $< -o $@

lib/libpoints_pg.so: $(PG_PIC)
	$(CC) -shared $(SAN) -Wl,-soname,libpoints_pg.so.$(PG_SOMAJOR) -o lib/libpoints_pg.so.$(VERSION) $^ -lpq
	ln -sf libpoints_pg.so.$(VERSION) lib/libpoints_pg.so.$(PG_SOMAJOR)
	ln -sf libpoints_pg.so.$(VERSION) lib/libpoints_pg.so

# The storage conformance suite against the PostgreSQL store.
build/tests/pg/check_store: tests/check_store.c $(TEST_UTIL) tests/testutil.h lib/libpoints.a $(PG_PIC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DTEST_PG -I$(PG_INC) -Itests $< $(TEST_UTIL) $(PG_PIC) -o $@ lib/libpoints.a $(PKG_LIBS) -lpq $(CHECK_LIBS)

build/tests/pg/pg_kill: tests/pg_kill.c $(TEST_UTIL) tests/testutil.h lib/libpoints.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests $< $(TEST_UTIL) -o $@ lib/libpoints.a $(PKG_LIBS) $(CHECK_LIBS)

# The PostgreSQL suites, on a private server (tests/pg_server.sh) made
# for the run and stopped after it: the storage conformance suite, then
# the business suites of the ledger, holds, expiry, rules and the mall
# with every ledger in a schema of its own (POINTS_TEST_STORE=pg; not
# under SANITIZE=1, where the conformance suite runs alone), then the
# 8 processes again on a ledger whose log is in 16 partitions (the
# default a ledger made on PostgreSQL gets).  Skipped,
# saying why, on a machine without libpq's headers or the server, unless
# PG_REQUIRED=1 (CI).
PG_SUITES = check_ledger check_hold check_expiry check_rules check_order check_multiproc
PG_SUITE_BIN = $(if $(filter 1,$(SANITIZE)),,$(PG_SUITES:%=build/tests/%))
# The server killed twice in a run (tests/pg_kill.c), last: it restarts it.
PG_KILL_BIN = $(if $(filter 1,$(SANITIZE)),,build/tests/pg/pg_kill)
PG_SKIP = $(if $(HAVE_PG),$(if $(wildcard $(PG_BIN)/initdb),,no PostgreSQL server in $(PG_BIN) (install postgresql)),libpq's headers not found (install libpq-dev and postgresql))
ifeq ($(PG_SKIP),)
check-pg: build/tests/pg/check_store lib/libpoints_pg.so $(PG_SUITE_BIN) $(PG_KILL_BIN)
	@dir=$$(mktemp -d /tmp/points-pg.XXXXXX) && \
	ci=$$(tests/pg_server.sh start $$dir) || exit 1; \
	uri="postgresql://points@/postgres?host=$$dir"; \
	export POINTS_TEST_PG="$$ci" POINTS_TEST_PG_URI="$$uri" POINTS_TEST_PG_DIR="$$dir" LD_LIBRARY_PATH=$(CURDIR)/lib; \
	echo "== build/tests/pg/check_store ($$ci)"; \
	$(SANENV) CK_DEFAULT_TIMEOUT=300 ./build/tests/pg/check_store; rc=$$?; \
	for t in $(PG_SUITE_BIN) $(PG_KILL_BIN); do \
	  echo "== $$t (pg)"; \
	  POINTS_TEST_STORE=pg CK_DEFAULT_TIMEOUT=600 ./$$t || rc=1; \
	done; \
	if [ -n "$(PG_KILL_BIN)" ]; then \
	  echo "== build/tests/check_multiproc (pg, log in 16 partitions)"; \
	  POINTS_TEST_STORE=pg POINTS_TEST_PARTITIONS=16 CK_DEFAULT_TIMEOUT=600 \
	    ./build/tests/check_multiproc || rc=1; \
	fi; \
	tests/pg_server.sh stop $$dir; exit $$rc
else
check-pg:
	@if [ "$(PG_REQUIRED)" = 1 ]; then echo "check-pg: $(PG_SKIP)"; exit 1; fi
	@echo "check-pg: skipped: $(PG_SKIP)"
endif

# check_args calls every function the public headers declare.
build/gen/public_calls.h: tests/public_calls.py $(PUBLIC_HDRS)
	@mkdir -p $(@D)
	$(PYTHON) tests/public_calls.py $@ $(PUBLIC_HDRS)
build/tests/check_args: build/gen/public_calls.h

# Tests link the static library so they can reach internal helpers.
build/tests/%: tests/%.c $(TEST_UTIL) tests/testutil.h lib/libpoints.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests $< $(TEST_UTIL) -o $@ lib/libpoints.a $(PKG_LIBS) $(CHECK_LIBS)

# A stand-in for libpoints_pg.so that answers what it was asked to open
# (tests/pg_stub.c): check_uri loads it to check the postgresql:// URIs.
build/tests/pg_stub.so: tests/pg_stub.c include/points/pg.h lib/pg/pg.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -fPIC -shared -Iinclude -Ilib $< -o $@
build/tests/check_uri: build/tests/pg_stub.so

# The torture programs (torture/): the public API and libsqlite3 only.
TORTURE_UTIL = torture/ops.c torture/util.c torture/vfs.c
build/torture/%: torture/%.c $(TORTURE_UTIL) torture/torture.h torture/vfs.h lib/libpoints.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -Itorture $< $(TORTURE_UTIL) -o $@ lib/libpoints.a $(PKG_LIBS)

build/examples/%: examples/%.c lib/libpoints.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< -o $@ -Llib -lpoints -Wl,-rpath,'$$ORIGIN/../../lib'

# The points tool (cli/, man/man1/points.1): the public API only, linked
# as the examples are; it finds libpoints.so beside it once installed
# ($(PREFIX)/bin and $(PREFIX)/lib) and in lib/ in the tree.
$(CLI_BIN): $(CLI_SRC) cli/cli.h $(PUBLIC_HDRS) lib/libpoints.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CLI_SRC) -o $@ -Llib -lpoints \
	  -Wl,-rpath,'$$ORIGIN/../lib:$$ORIGIN/../../lib'

build/bench/%: bench/%.c lib/libpoints.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 -g -Iinclude -Ilib $(PKG_CFLAGS) $< -o $@ lib/libpoints.a $(PKG_LIBS)

# Under SANITIZE=1 the C and Python suites run (a JVM does not run under
# AddressSanitizer, and a wheel is built without the sanitizers).  CI
# runs both passes.
ifeq ($(SANITIZE),1)
check: check-headers check-layers check-iterator-types check-static check-c check-cel-spec check-cel-diff check-python check-webmall check-torture check-pg
else
check: check-headers check-layers check-iterator-types check-static check-c check-partitions check-cel-spec check-cel-diff check-python check-webmall check-java check-bindings check-deploy check-wheel check-jar check-torture check-pg
endif

# As a user meets the library: the bindings copied elsewhere work alone
# (they carry libpoints), and every C, Python and Java snippet of
# README.md runs as written (tests/python/deploy_*.py).
check-deploy: all python java
	$(PYTHON) -m unittest discover -s tests/python -t tests/python -p 'deploy_*.py' -v

# Every public header compiles on its own, as C99 and as C++ (when a C++
# compiler is there), and has an include guard; those under
# include/points/ also wrap their declarations in extern "C" (points.h
# only includes them), and points.h includes each module
# header (not points/pg.h: libpoints_pg's, for hosts that link it).  No
# two headers, public or internal, share a guard.
HDR_CFLAGS = -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude
HDR_CXXFLAGS = -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude
HDR_GUARD = sed -n 's/^\#ifndef \([A-Z0-9_]*_H\)$$/\1/p'
check-headers:
	@fail=0; cxx=$$(command -v $(CXX) 2>/dev/null); \
	[ -n "$$cxx" ] || echo "check-headers: no $(CXX); C only"; \
	for h in $(PUBLIC_HDRS); do \
	  i=$${h#include/}; g=$$($(HDR_GUARD) $$h | head -1); \
	  [ -n "$$g" ] && grep -q "^#define $$g$$" $$h || { echo "$$h: no include guard"; fail=1; }; \
	  case $$i in points/*) grep -q '^extern "C" {$$' $$h || { echo "$$h: no extern \"C\""; fail=1; };; esac; \
	  case $$i in points/sys/*|points/pg.h) ;; points/*) grep -q "^#include \"$$i\"$$" include/points.h || { echo "$$h: not included by points.h"; fail=1; };; esac; \
	  echo "#include \"$$i\"" | $(CC) $(HDR_CFLAGS) -x c -fsyntax-only - || { echo "$$h: does not compile alone as C"; fail=1; }; \
	  if [ -n "$$cxx" ]; then \
	    echo "#include \"$$i\"" | $(CXX) $(HDR_CXXFLAGS) -x c++ -fsyntax-only - || { echo "$$h: does not compile alone as C++"; fail=1; }; \
	  fi; \
	done; \
	dup=$$(for h in $(HDRS); do $(HDR_GUARD) $$h | head -1; done | sort | uniq -d); \
	[ -z "$$dup" ] || { echo "check-headers: include guards used twice:" $$dup; fail=1; }; \
	[ $$fail = 0 ] && echo "check-headers: $(words $(PUBLIC_HDRS)) public headers compile alone"; exit $$fail

# Each list has its own iterator type: tests/iterator_kinds.c compiles
# with CASE=0 and fails, with an incompatible pointer type, for every
# other CASE (one kind passed where another is expected).  Every
# function of every iterator type the public headers declare is used in
# CASE 0 and misused in a case of its own (tests/check_iterator_kinds.py).
check-iterator-types:
	@$(PYTHON) tests/check_iterator_kinds.py tests/iterator_kinds.c $(PUBLIC_HDRS)
	@n=$$(sed -n 's/^#define NCASES //p' tests/iterator_kinds.c); fail=0; \
	$(CC) $(HDR_CFLAGS) -fsyntax-only -DCASE=0 tests/iterator_kinds.c || fail=1; \
	for c in $$(seq 1 $$n); do \
	  out=$$($(CC) $(HDR_CFLAGS) -fsyntax-only -DCASE=$$c tests/iterator_kinds.c 2>&1) && \
	    { echo "iterator_kinds.c: case $$c compiles"; fail=1; continue; }; \
	  echo "$$out" | grep -qi 'incompatible pointer type' || \
	    { echo "iterator_kinds.c: case $$c fails for another reason:"; echo "$$out"; fail=1; }; \
	done; \
	[ $$fail = 0 ] && echo "check-iterator-types: $$n misuses of an iterator type do not compile"; exit $$fail

# Every public C function and every field of every result record is
# reached by both bindings; then the check's own tests, Java's included.
check-bindings: python java
	$(PYTHON) tests/check_bindings.py python java
	$(PY_ENV) POINTS_CHECK_JAVA=1 $(PYTHON) -m unittest discover -s tests/python -t tests/python -p test_coverage.py

# The rule language against the cel-spec conformance cases pinned in
# tests/cel_spec_cases.json; update-cel-spec pins them anew from the npm
# package (Node and the network needed there only).
CEL_SPEC_VERSION = 0.6.1
check-cel-spec: build/tests/cel_conform
	$(SANENV) $(PYTHON) tests/check_cel_spec.py build/tests/cel_conform

update-cel-spec:
	npm install --prefix build/cel-spec --no-save --no-audit --no-fund @bufbuild/cel-spec@$(CEL_SPEC_VERSION)
	node tests/cel_spec_export.js build/cel-spec/node_modules/@bufbuild/cel-spec > tests/cel_spec_cases.json.tmp
	mv tests/cel_spec_cases.json.tmp tests/cel_spec_cases.json

# The rule language against a reference implementation, @bufbuild/cel
# on Node (tests/cel_diff.mjs): CEL_DIFF_COUNT random expressions of the
# subset from CEL_DIFF_SEED, the same every run, evaluated by both.  The
# package is fetched through npm into build/cel; without Node or the
# registry the run is skipped, saying so (CI sets CEL_DIFF_REQUIRED=1,
# which makes that a failure).
CEL_VERSION = 0.6.1
CEL_PKG = build/cel/node_modules/@bufbuild/cel/package.json
CEL_DIFF_COUNT ?= 2000
CEL_DIFF_SEED ?= 20261203
CEL_DIFF_REQUIRED ?= 0
check-cel-diff: build/tests/cel_conform
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "check-cel-diff: skipped: no node or npm"; \
	  exit $(CEL_DIFF_REQUIRED); fi; \
	if [ ! -f $(CEL_PKG) ] && ! timeout 300 npm install --prefix build/cel \
	  --no-save --no-audit --no-fund @bufbuild/cel@$(CEL_VERSION) \
	  >build/cel-npm.log 2>&1; then \
	  echo "check-cel-diff: skipped: npm could not fetch @bufbuild/cel" \
	    "(build/cel-npm.log)"; exit $(CEL_DIFF_REQUIRED); fi; \
	$(SANENV) node tests/cel_diff.mjs build/tests/cel_conform build/cel \
	  $(CEL_DIFF_COUNT) $(CEL_DIFF_SEED)

$(CEL_PKG):
	npm install --prefix build/cel --no-save --no-audit --no-fund @bufbuild/cel@$(CEL_VERSION)

# The rule language under libFuzzer (tests/fuzz/cel_fuzz.c, built with
# clang -fsanitize=fuzzer,address,undefined): fuzz-cel runs it for
# FUZZ_SECONDS from the committed corpus tests/fuzz/corpus/cel, keeping
# the inputs it finds new in build/fuzz/corpus-cel and a crash's input
# in build/fuzz/; fuzz-cel-ci runs it 45 s (CI).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SRC = tests/fuzz/cel_fuzz.c lib/rules/cel_parse.c lib/rules/cel_eval.c \
  lib/util/alloc.c lib/util/calendar.c
build/fuzz/cel_fuzz: $(FUZZ_SRC) $(HDRS)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(WARN) -Iinclude -Ilib $(FUZZ_SRC) -o $@

fuzz-cel: build/fuzz/cel_fuzz
	@mkdir -p build/fuzz/corpus-cel
	./build/fuzz/cel_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/cel.dict -artifact_prefix=build/fuzz/ \
	  -print_final_stats=1 build/fuzz/corpus-cel tests/fuzz/corpus/cel

fuzz-cel-ci: FUZZ_SECONDS = 45
fuzz-cel-ci: fuzz-cel

# The record and key decoders under libFuzzer (tests/fuzz/record_fuzz.c:
# a small ledger's stored records edited by the input, then every read
# path and points_verify), and the URI parser (tests/fuzz/uri_fuzz.c):
# as fuzz-cel, the whole library built in with the fuzzer.  fuzz-record
# and fuzz-uri run FUZZ_SECONDS from their committed corpora
# (tests/fuzz/corpus/record, tests/fuzz/corpus/uri; uri with the words
# of tests/fuzz/uri.dict), a hang past 60 s being a finding (not 20:
# a loaded machine can stall an fsync that long); the -ci targets run
# 45 s each (CI).  The small ledgers get small slabs, and iterators
# that buffer 8 items (not 64), so that their statements and lists cross
# chunks.  Every check of -fsanitize=undefined but alignment: clang 14
# hands each alignment check (one per pointer read) to the fuzzer as a
# comparison, a third of the time of an input; the SANITIZE=1 suites
# keep it.
FUZZ_FLAGS = $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize=alignment -fno-sanitize-recover=undefined $(WARN) \
  -Iinclude -Ilib -Ibuild/gen $(PKG_CFLAGS) -DPOINTS_SLAB_SIZE=16384 \
  -DPOINTS_ITER_CHUNK=8
FUZZ_HELD = tests/fuzz/held_store.c tests/fuzz/held_store.h
# record and import: no coverage in the store that holds their ledger
# (tests/fuzz/store.ignore); uri parses the memory store's URI.
build/fuzz/record_fuzz build/fuzz/import_fuzz: tests/fuzz/store.ignore
build/fuzz/record_fuzz build/fuzz/import_fuzz: FUZZ_FLAGS += \
  -fsanitize-coverage-ignorelist=tests/fuzz/store.ignore
build/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $(FUZZ_HELD) $(LIB_SRC) $(HDRS) $(MODULE_LIST)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $< tests/fuzz/held_store.c $(LIB_SRC) -o $@ $(PKG_LIBS)

fuzz-record fuzz-uri fuzz-import: fuzz-%: build/fuzz/%_fuzz
	@mkdir -p build/fuzz/corpus-$*
	./build/fuzz/$*_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -timeout=60 $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
	  -artifact_prefix=build/fuzz/ -print_final_stats=1 \
	  build/fuzz/corpus-$* tests/fuzz/corpus/$*

fuzz-record-ci fuzz-uri-ci fuzz-import-ci: FUZZ_SECONDS = 45
fuzz-record-ci: fuzz-record
fuzz-uri-ci: fuzz-uri
fuzz-import-ci: fuzz-import

# A file includes only from its own layer or those below (DESIGN.md).
check-layers:
	$(PYTHON) tests/check_layers.py lib

# Every suite runs on the memory backend; those whose tests open their
# ledgers with tu_open("memory:") run again with each of those a fresh
# SQLite file (POINTS_TEST_STORE=sqlite, tests/testutil.h).  Tests about
# one backend name it and run the same both times.
TEST_BOTH = $(patsubst tests/%.c,build/tests/%,$(shell grep -l 'tu_open[a-z_]*("memory:")' $(TEST_SRC)))
check-c: $(TEST_BIN) examples
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; $(SANENV) CK_DEFAULT_TIMEOUT=300 ./$$t || fail=1; \
	done; \
	for t in $(TEST_BOTH); do \
	  echo "== $$t (sqlite)"; \
	  $(SANENV) POINTS_TEST_STORE=sqlite CK_DEFAULT_TIMEOUT=300 ./$$t || fail=1; \
	done; exit $$fail

# Every C suite again on the memory store with each ledger it makes
# with its log in 4 partitions (POINTS_TEST_PARTITIONS=4, ledger/entry.h),
# as a ledger on PostgreSQL has its log (16 there) by default: user ids
# from 5 (system:transit is 4), seqs of each partition, system accounts'
# shards, transfers as two legs.  Part of make check and so of make
# coverage; not of make check SANITIZE=1, to keep CI within its time.
check-partitions: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t (log in 4 partitions)"; \
	  $(SANENV) POINTS_TEST_PARTITIONS=4 CK_DEFAULT_TIMEOUT=300 ./$$t || fail=1; \
	done; exit $$fail

examples: $(EXAMPLE_BIN)

# A host linked statically with libpoints.a (tests/static_mall.c: public
# API only) on a ledger its administrator set up (tests/static_admin.c):
# the modules whose functions the host never calls are linked in all
# the same, and their hooks run on its writes (core/module.h).
STATIC_BIN = build/static/static_admin build/static/static_mall
build/static/%: tests/%.c lib/libpoints.a
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) $(SAN) -Iinclude $(CFLAGS) $< -o $@ lib/libpoints.a $(PKG_LIBS)

check-static: $(STATIC_BIN)
	@rm -f build/static/ledger.db*
	$(SANENV) ./build/static/static_admin sqlite:build/static/ledger.db
	$(SANENV) ./build/static/static_mall sqlite:build/static/ledger.db

# The reliability suite (torture/, README "Torture tests"): a short slice
# in make check, the long runs in make torture.  TORTURE_SEED fixes the
# seed (default: the time, printed).
TORTURE_BIN = build/torture/crash build/torture/soak build/torture/iofault \
	build/torture/damage
TORTURE_DIR = build/torture-run
TORTURE_SEED ?= 0
# Under SANITIZE=1 a writer needs longer to get going (250 ms before
# the kill), and the power cuts, which test the file and not the
# library's memory, are left to the plain pass.
TORTURE_CRASH_MS = $(if $(filter 1,$(SANITIZE)),250,60)
TORTURE_IOFAULT = $(if $(filter 1,$(SANITIZE)),faults,all)
# The damage test's fixed seeds, run besides the random one: each found
# a defect once (a regression test), and with them the slice tests the
# same damage every run.
TORTURE_DAMAGE_SEEDS = 1078161168 31
check-torture: $(TORTURE_BIN)
	@rm -rf $(TORTURE_DIR) && mkdir -p $(TORTURE_DIR)
	@for s in $(TORTURE_DAMAGE_SEEDS); do \
	  echo "./build/torture/damage $(TORTURE_DIR)/damage 150 $$s"; \
	  $(SANENV) ./build/torture/damage $(TORTURE_DIR)/damage 150 $$s || exit 1; \
	done
	$(SANENV) ./build/torture/crash $(TORTURE_DIR)/crash 100 $(TORTURE_SEED) $(TORTURE_CRASH_MS)
	$(SANENV) ./build/torture/soak $(TORTURE_DIR)/soak 20 $(TORTURE_SEED)
	$(SANENV) ./build/torture/iofault $(TORTURE_DIR)/iofault $(TORTURE_IOFAULT) 0 $(TORTURE_SEED)
	$(SANENV) ./build/torture/damage $(TORTURE_DIR)/damage 150 $(TORTURE_SEED)

torture: $(TORTURE_BIN)
	@rm -rf $(TORTURE_DIR) && mkdir -p $(TORTURE_DIR)
	$(SANENV) nice ./build/torture/crash $(TORTURE_DIR)/crash 1000 $(TORTURE_SEED)
	$(SANENV) nice ./build/torture/soak $(TORTURE_DIR)/soak 600 $(TORTURE_SEED)
	$(SANENV) nice ./build/torture/iofault $(TORTURE_DIR)/iofault all 1 $(TORTURE_SEED)
	$(SANENV) nice ./build/torture/damage $(TORTURE_DIR)/damage 5000 $(TORTURE_SEED)

# The mutation check (README "Mutations"): torture/mutate.py plants each
# bug of its table in a scratch copy of the tree and runs the suites
# that should catch it; fewer than 90% caught fails.  Long: not part of
# make check.  MUTATE_ARGS passes options (-k NAME, -j N, --keep DIR).
MUTATE_ARGS ?= -j 2
mutate:
	$(PYTHON) torture/mutate.py $(MUTATE_ARGS)

demo: build/examples/quickstart
	rm -f build/demo.db build/demo.db-wal build/demo.db-shm
	./build/examples/quickstart build/demo.db

# Every example, in every language (CI runs this).
run-examples: demo build/examples/welfare_mall examples-python examples-java
	./build/examples/welfare_mall

bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; ./$$b || exit 1; done

# A month's report and a full CSV export over ledgers of 1M and 10M
# entries, kept in build/bench-data for the next run (bench/README.md).
bench-export: build/bench/export_bench
	./build/bench/export_bench -n $(or $(EXPORT_SIZES),1000000,10000000) \
	    -k build/bench-data

# Orders placed and approved against the bare holds and captures they
# are made of, and the four-process flash sale (bench/README.md).
bench-mall: build/bench/mall_bench
	./build/bench/mall_bench

# Earns on PostgreSQL from 1, 4 and 8 processes beside pgbench running
# an earn's shape of SQL on the same private server (bench/README.md).
bench-pg: build/bench/pg/earn_bench lib/libpoints_pg.so
	LD_LIBRARY_PATH=$(CURDIR)/lib bench/pg/run.sh $(BENCH_SECONDS)

# The rule language's evaluation, side by side with @bufbuild/cel on
# Node (bench/README.md).
bench-cel: build/bench/cel_bench $(CEL_PKG)
	node bench/cel_bench.mjs build/cel build/bench/cel_bench

lint-man:
	mandoc -T lint -W warning man/man1/*.1 man/man3/*.3 man/man7/*.7

# Made on every install: PREFIX may differ from the last one.
.PHONY: points.pc points-pg.pc bench-pg
points.pc points-pg.pc: %.pc: %.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR_PC)|g' \
	  -e 's|@VERSION@|$(VERSION)|g' $< > $@

# After installing into a directory the dynamic loader searches (as
# ldconfig -v -N lists it), ldconfig updates its cache so that programs
# find libpoints.so.$(SOMAJOR); elsewhere (or with DESTDIR, a staging
# root) it says what to do instead.
# LIBDIR: where the libraries and pkg-config files go ($(PREFIX)/lib;
# make deb gives Debian's multiarch directory, /usr/lib/x86_64-linux-gnu).
LIBDIR = $(PREFIX)/lib
LIBDIR_PC = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
LDCONFIG ?= $(shell PATH="$$PATH:/sbin:/usr/sbin" command -v ldconfig 2>/dev/null)
define after_install
	@if [ -n "$(DESTDIR)" ]; then exit 0; fi; \
	dir=$$(readlink -f "$(LIBDIR)"); searched=0; \
	for d in $$($(LDCONFIG) -v -N 2>/dev/null | sed -n 's/^\(\/[^:]*\):.*/\1/p'); do \
	  [ "$$(readlink -f "$$d")" = "$$dir" ] && searched=1; \
	done; \
	if [ $$searched = 1 ]; then echo "$(LDCONFIG)"; $(LDCONFIG); \
	else \
	  echo "note: $(LIBDIR) is not searched by the dynamic loader; link programs"; \
	  echo "  with -Wl,-rpath,$(LIBDIR), or set LD_LIBRARY_PATH=$(LIBDIR), or add"; \
	  echo "  $(LIBDIR) to a file in /etc/ld.so.conf.d/ and run ldconfig (README.md)"; \
	fi
endef

install: all points.pc $(if $(HAVE_PG),points-pg.pc)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man7
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(CLI_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 lib/libpoints.a $(DESTDIR)$(LIBDIR)/
	install -m 755 lib/libpoints.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libpoints.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpoints.so.$(SOMAJOR)
	ln -sf libpoints.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpoints.so
	$(if $(HAVE_PG),install -m 755 lib/libpoints_pg.so.$(VERSION) $(DESTDIR)$(LIBDIR)/ && \
	  ln -sf libpoints_pg.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpoints_pg.so.$(PG_SOMAJOR) && \
	  ln -sf libpoints_pg.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpoints_pg.so && \
	  install -m 644 points-pg.pc $(DESTDIR)$(LIBDIR)/pkgconfig/)
	install -d $(DESTDIR)$(PREFIX)/include/points/sys
	install -m 644 include/points.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/points/*.h $(DESTDIR)$(PREFIX)/include/points/
	install -m 644 include/points/sys/*.h $(DESTDIR)$(PREFIX)/include/points/sys/
	install -m 644 points.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 man/man3/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 644 man/man7/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	$(after_install)

# Debian packages (README, "Install"): make install into a staging root
# with PREFIX=/usr, the points tool linked without an rpath (the library
# is where the loader looks), then packaging/mkdeb.sh sorts the files
# into libpoints$(SOMAJOR), libpoints-dev, points-tools and, with the
# PostgreSQL store, libpoints-pg$(PG_SOMAJOR) and libpoints-pg-dev, each
# built with dpkg-deb into build/deb.  check-deb installs them in a
# scratch root and builds the quickstart against them (and, with
# POINTS_DEB_SYSTEM=1 as root, as CI does, into the system, then
# removes them).
DEB_DIR = build/deb
DEB_MAINTAINER ?= The libpoints authors <libpoints@example.org>
DEB_LIBDIR = /usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
$(DEB_DIR)/points: $(CLI_SRC) cli/cli.h $(PUBLIC_HDRS) lib/libpoints.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CLI_SRC) -o $@ -Llib -lpoints

deb: all $(DEB_DIR)/points
	rm -rf $(DEB_DIR)/stage $(DEB_DIR)/debian $(DEB_DIR)/*.deb
	$(MAKE) --no-print-directory install PREFIX=/usr LIBDIR=$(DEB_LIBDIR) \
	  DESTDIR=$(CURDIR)/$(DEB_DIR)/stage
	install -m 755 $(DEB_DIR)/points $(DEB_DIR)/stage/usr/bin/points
	DEB_MAINTAINER='$(DEB_MAINTAINER)' packaging/mkdeb.sh $(DEB_DIR) \
	  $(VERSION) $(SOMAJOR) $(PG_SOMAJOR) $(DEB_LIBDIR)

check-deb: deb
	$(PYTHON) -m unittest discover -s tests/python -t tests/python -p 'package_deb.py' -v

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpoints.a $(DESTDIR)$(LIBDIR)/libpoints.so \
	    $(DESTDIR)$(LIBDIR)/libpoints.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libpoints.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/points.pc $(DESTDIR)$(PREFIX)/include/points.h \
	    $(DESTDIR)$(LIBDIR)/libpoints_pg.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libpoints_pg.so.$(PG_SOMAJOR) \
	    $(DESTDIR)$(LIBDIR)/libpoints_pg.so $(DESTDIR)$(LIBDIR)/pkgconfig/points-pg.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/points
	rm -f $(DESTDIR)$(PREFIX)/bin/points
	cd man/man1 && for m in *.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$m; done
	cd man/man3 && for m in *.3; do rm -f $(DESTDIR)$(PREFIX)/share/man/man3/$$m; done
	cd man/man7 && for m in *.7; do rm -f $(DESTDIR)$(PREFIX)/share/man/man7/$$m; done
	rmdir $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man7 2>/dev/null || true
	$(after_install)

include bindings/python/python.mk
include bindings/java/java.mk
include examples/webmall/webmall.mk

# Static analysis of lib/ (README, "Static analysis"): cppcheck's
# warning and portability checks, then clang's analyzer over lib/ (lib/pg
# too with libpq's headers), two files at a time, with the path to each
# finding; every finding an error (CI runs it).  Debian's cppcheck and
# clang packages.
ANALYZE_SRC = $(LIB_SRC) $(if $(HAVE_PG),$(PG_SRC))
analyze: $(MODULE_LIST)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --std=c99 -D_POSIX_C_SOURCE=200809L -Iinclude -Ilib -Ibuild/gen \
	  --suppress=missingIncludeSystem --inline-suppr lib/
	@command -v clang >/dev/null || { echo "make analyze needs clang"; exit 1; }
	@printf '%s\n' $(ANALYZE_SRC) | xargs -P2 -n1 clang --analyze $(CSTD) \
	  -Iinclude -Ilib -Ibuild/gen $(if $(HAVE_PG),-I$(PG_INC)) $(PKG_CFLAGS) \
	  -Xanalyzer -analyzer-output=text -Xanalyzer -analyzer-werror \
	  -o /dev/null || { echo "make analyze: clang --analyze found the above"; exit 1; }

# Line and branch coverage of lib/ by every suite make check runs (C,
# Python, Java, torture, PostgreSQL): a build of its own with
# COVERAGE=1 (it starts from make clean, and leaves that build behind:
# make clean after), then make coverage-report.  Debian's gcovr.
coverage:
	@command -v gcovr >/dev/null || { echo "make coverage needs gcovr (apt-get install gcovr)"; exit 1; }
	$(MAKE) clean
	$(MAKE) check COVERAGE=1
	$(MAKE) coverage-report

# The counts of whatever ran since a COVERAGE=1 build (make coverage;
# CI's make check COVERAGE=1): gcovr's summary of lib/, a table per
# file in build/coverage.txt, and a failure below the floor.  The floor
# is what keeps a change from leaving code untested: raise it as tests
# are added, never lower it to land a change.
COVERAGE_MIN_LINES = 95
COVERAGE_MIN_BRANCHES = 90
coverage-report:
	@command -v gcovr >/dev/null || { echo "make coverage-report needs gcovr (apt-get install gcovr)"; exit 1; }
	gcovr -r . --filter 'lib/' --txt build/coverage.txt --print-summary \
	  --fail-under-line $(COVERAGE_MIN_LINES) \
	  --fail-under-branch $(COVERAGE_MIN_BRANCHES)

clean: clean-python clean-java
	rm -rf build points.pc points-pg.pc lib/libpoints.a lib/libpoints.so* lib/libpoints_pg.so*
