# Python binding: the points package, built in place in bindings/python
# against the first python3 on PATH (its own headers, via sysconfig).
# Included by the top-level Makefile.

PY_DIR = bindings/python
PY_PKG = $(PY_DIR)/points
PY_EXT := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
PY_SO = $(PY_PKG)/_capi$(PY_EXT)
PY_WRAP = build/python/capi_wrap.c
PY_ENV = PYTHONPATH=$(CURDIR)/$(PY_DIR) PYTHONDONTWRITEBYTECODE=1

# SANITIZE=1: the extension and libpoints are built with ASan and UBSan and
# the interpreter, which is not, gets their runtimes preloaded.  Leaks are
# not checked here: the interpreter keeps objects to exit by design; the C
# suites check the library for leaks.
ifeq ($(SANITIZE),1)
PY_ENV += LD_PRELOAD="$(shell $(CC) -print-file-name=libasan.so) $(shell $(CC) -print-file-name=libubsan.so)" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
endif

.PHONY: python check-python examples-python clean-python bench-python \
	install-python wheel check-wheel

python: $(PY_SO)

# The interface: points_python.i, which includes what both languages
# share (bindings/points.i) and the table of records (bindings/records.def).
PY_SWIG_SRC = $(PY_DIR)/points_python.i bindings/points.i bindings/records.def

# SWIG writes the low-level module (points/capi.py) beside the package.
$(PY_WRAP): $(PY_SWIG_SRC) $(PUBLIC_HDRS) | deps
	@mkdir -p $(@D)
	swig -python -threads -Ibindings -Iinclude -o $@ -outdir $(PY_PKG) $<

# The generated code is compiled without -Werror: its warnings are SWIG's.
# The library is linked in (build/libpoints_pic.a) and none of its symbols
# is exported: the package directory is all an application needs, beside
# SQLite, libuuid and libsodium.
$(PY_SO): $(PY_WRAP) build/libpoints_pic.a
	$(CC) -shared -fPIC $(OPT) $(SAN) -Ibindings -Iinclude -I$(PY_INCLUDE) $< -o $@ \
	    build/libpoints_pic.a $(PKG_LIBS) -Wl,--exclude-libs,ALL

# test_cli.py drives the points tool (POINTS_CLI: its path).
check-python: python build/cli/points
	$(PY_ENV) $(PYTHON) -m points --version
	$(PY_ENV) POINTS_CLI=$(CURDIR)/build/cli/points $(PYTHON) -m unittest discover -s tests/python -t tests/python -v

examples-python: python
	rm -rf build/examples-python && mkdir -p build/examples-python
	$(PY_ENV) $(PYTHON) examples/python/hr_import.py \
	    examples/python/employees.csv build/examples-python/hr.db
	$(PY_ENV) $(PYTHON) examples/python/employee_auction.py

# Install the package into the interpreter's site-packages (PY_SITE); its
# extension carries the library, so no `make install` is needed for it.
PY_SITE ?= $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])' 2>/dev/null)

install-python: python
	install -d $(DESTDIR)$(PY_SITE)/points
	install -m 644 $(PY_PKG)/*.py $(DESTDIR)$(PY_SITE)/points/
	install -m 755 $(PY_SO) $(DESTDIR)$(PY_SITE)/points/

# The wheel (build/dist/points-VERSION-cpXY-cpXY-PLATFORM.whl, tagged for
# $(PYTHON)): the package's modules and an extension of its own that
# links libpoints and, statically, SQLite, libuuid and libsodium
# (STATIC_PKG_LIBS), so that a pip install needs
# nothing but the C library; none of their symbols is exported, so the
# interpreter's own sqlite3 module keeps its SQLite.  Written by
# make_wheel.py with zipfile: no build backend and no network.
WHEEL_DIR = build/dist
WHEEL_SO = build/wheel/$(notdir $(PY_SO))

$(WHEEL_SO): $(PY_WRAP) build/libpoints_pic.a
	@if [ "$(SANITIZE)" = 1 ]; then echo "make wheel: not with SANITIZE=1 (a wheel's extension must load without the sanitizers' runtimes)" >&2; exit 1; fi
	@mkdir -p $(@D)
	$(CC) -shared -fPIC $(OPT) $(COV_FLAGS) -Ibindings -Iinclude -I$(PY_INCLUDE) $< -o $@ \
	    build/libpoints_pic.a $(STATIC_PKG_LIBS) -Wl,--exclude-libs,ALL

wheel: $(WHEEL_SO)
	rm -f $(WHEEL_DIR)/points-*.whl
	$(PYTHON) $(PY_DIR)/make_wheel.py $(VERSION) $(WHEEL_DIR) $(WHEEL_SO) LICENSE \
	    $(sort $(wildcard $(PY_PKG)/*.py) $(PY_PKG)/capi.py)

# The wheel installed with pip into a fresh virtual environment, with no
# index, and run from outside the tree (tests/python/wheel_install.py).
check-wheel: wheel
	POINTS_VERSION=$(VERSION) $(PYTHON) -m unittest discover -s tests/python -t tests/python -p 'wheel_*.py' -v

clean-python:
	rm -f $(PY_PKG)/capi.py $(PY_PKG)/_capi*.so
	rm -rf $(PY_PKG)/__pycache__

bench-python: python
	$(PY_ENV) $(PYTHON) bench/python_bench.py
