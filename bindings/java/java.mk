# Java binding: package org.libpoints, built under build/java.  Included by
# the top-level Makefile.
#
#   make java           build/java/libpoints.jar (with libpoints_jni.so inside),
#                       build/java/libpoints_jni.so and build/java/pom.xml
#   make check-java     the JUnit 4 suite (Debian's junit4)
#   make check-jar      the jar alone, as an application and Maven use it
#   make examples-java  run examples/java/LoyaltyService.java
#
# The JDK is the one of the first javac on PATH, or JAVA_HOME.  The
# generated layer (swig -java) lands in build/java/gen and is compiled into
# the jar beside the hand-written classes; it is package-private.  The
# records are generated into build/java/records (gen_records.py).

JAVAC ?= javac
JAVA ?= java
JAR ?= jar
JAVA_RELEASE ?= 17
# Recursive (=): evaluated in recipes, after `deps` may have installed the JDK.
JDK_HOME = $(or $(JAVA_HOME),$(shell j=$$(readlink -f "$$(command -v $(JAVAC))" 2>/dev/null) && dirname "$$(dirname "$$j")"))
JNI_CFLAGS = -I$(JDK_HOME)/include -I$(JDK_HOME)/include/linux

JAVA_DIR = bindings/java
JAVA_OUT = build/java
JAVA_GEN = $(JAVA_OUT)/gen
JAVA_GEN_PKG = $(JAVA_GEN)/org/libpoints
JAVA_WRAP = $(JAVA_GEN)/capi_wrap.c
JAVA_JNI = $(JAVA_OUT)/libpoints_jni.so
JAVA_JAR = $(JAVA_OUT)/libpoints.jar
JAVA_POM = $(JAVA_OUT)/pom.xml
# Where the jar carries the JNI library (NativeLoader.platform()).
JAVA_PLATFORM = linux-$(shell uname -m)
JAVA_NATIVE = org/libpoints/native/$(JAVA_PLATFORM)
JAVA_SRC = $(sort $(wildcard $(JAVA_DIR)/src/org/libpoints/*.java))
# The records (Account, Txn, ...) are generated from bindings/records.def
# around their hand-written parts in records/<Class>.java.in.
JAVA_REC_IN = $(sort $(wildcard $(JAVA_DIR)/records/*.java.in))
JAVA_REC_PKG = $(JAVA_OUT)/records/org/libpoints
JAVA_REC_STAMP = $(JAVA_OUT)/records/.stamp
JAVA_TEST_SRC = $(sort $(wildcard $(JAVA_DIR)/test/org/libpoints/*.java))
JAVA_TESTS = $(subst /,.,$(patsubst $(JAVA_DIR)/test/%.java,%,$(filter %Test.java,$(JAVA_TEST_SRC))))
JUNIT_CP = /usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar
JAVAC_FLAGS = --release $(JAVA_RELEASE) -encoding UTF-8 -Xlint:all,-serial,-try $(WERROR_FLAG)
# -Xcheck:jni makes the JVM check every JNI call of the wrapper.
JAVA_RUN = $(JAVA) -Xcheck:jni

.PHONY: java check-java check-jar examples-java clean-java

java: $(JAVA_JNI) $(JAVA_JAR) $(JAVA_POM)

# The interface: points_java.i, which includes what both languages share
# (bindings/points.i) and the table of records (bindings/records.def).
JAVA_SWIG_SRC = $(JAVA_DIR)/points_java.i bindings/points.i bindings/records.def

# SWIG cannot make the constants interface, nor the clock cell (declared
# in the shared points.i), package-private: sed does.
$(JAVA_WRAP): $(JAVA_SWIG_SRC) $(PUBLIC_HDRS) | deps
	rm -rf $(JAVA_GEN) && mkdir -p $(JAVA_GEN_PKG)
	swig -java -package org.libpoints -Ibindings -Iinclude -o $@ -outdir $(JAVA_GEN_PKG) $<
	sed -i -e 's/^public interface capiConstants/interface capiConstants/' \
	    -e 's/^public class points_clock_cell/final class points_clock_cell/' \
	    $(JAVA_GEN_PKG)/*.java

# The generated code is compiled without -Werror: its warnings are SWIG's
# (and SWIG's pointer casts want -fno-strict-aliasing).
# libpoints is linked in (build/libpoints_pic.a), and SQLite, libuuid and
# libsodium statically (STATIC_PKG_LIBS), none of their symbols exported,
# so the JNI library needs only the C library and the jar, which carries
# it, is all an application ships.
$(JAVA_JNI): $(JAVA_WRAP) build/libpoints_pic.a
	@test -f "$(JDK_HOME)/include/jni.h" || { echo "no jni.h under '$(JDK_HOME)': install a JDK or set JAVA_HOME" >&2; exit 1; }
	$(CC) -shared -fPIC -O2 -g -fno-strict-aliasing $(COV_FLAGS) -Ibindings -Iinclude $(JNI_CFLAGS) $< -o $@ \
	    build/libpoints_pic.a $(STATIC_PKG_LIBS) -Wl,--exclude-libs,ALL

$(JAVA_REC_STAMP): bindings/records.def bindings/recordtable.py $(JAVA_DIR)/gen_records.py $(JAVA_REC_IN)
	rm -rf $(JAVA_REC_PKG) && mkdir -p $(JAVA_REC_PKG)
	$(PYTHON) $(JAVA_DIR)/gen_records.py $(JAVA_DIR)/records $(JAVA_REC_PKG)
	touch $@

# The Maven description (groupId org.libpoints, artifactId libpoints, the
# library's version), beside the jar and inside it where Maven puts it.
$(JAVA_POM): $(JAVA_DIR)/pom.xml.in include/points/common.h
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/' $< > $@

# The jar: the classes, the JNI library under org/libpoints/native/
# (NativeLoader loads it from there when it finds none elsewhere), the
# pom, and the version in the manifest.
$(JAVA_JAR): $(JAVA_WRAP) $(JAVA_REC_STAMP) $(JAVA_SRC) $(JAVA_JNI) $(JAVA_POM)
	rm -rf $(JAVA_OUT)/classes && mkdir -p $(JAVA_OUT)/classes
	$(JAVAC) $(JAVAC_FLAGS) -d $(JAVA_OUT)/classes $(JAVA_SRC) $(JAVA_REC_PKG)/*.java $(JAVA_GEN_PKG)/*.java
	mkdir -p $(JAVA_OUT)/classes/$(JAVA_NATIVE) $(JAVA_OUT)/classes/META-INF/maven/org.libpoints/libpoints
	cp $(JAVA_JNI) $(JAVA_OUT)/classes/$(JAVA_NATIVE)/
	cp $(JAVA_POM) $(JAVA_OUT)/classes/META-INF/maven/org.libpoints/libpoints/pom.xml
	printf 'groupId=org.libpoints\nartifactId=libpoints\nversion=%s\n' $(VERSION) \
	    > $(JAVA_OUT)/classes/META-INF/maven/org.libpoints/libpoints/pom.properties
	printf 'Implementation-Title: libpoints\nImplementation-Version: %s\nAutomatic-Module-Name: org.libpoints\n' $(VERSION) \
	    > $(JAVA_OUT)/manifest.txt
	$(JAR) --create --file $@ --manifest $(JAVA_OUT)/manifest.txt -C $(JAVA_OUT)/classes .

# The tests load libpoints_jni.so from beside the jar (NativeLoader's last
# resort), as an application shipping both files would.
check-java: java
	rm -rf $(JAVA_OUT)/test-classes $(JAVA_OUT)/tmp && mkdir -p $(JAVA_OUT)/test-classes $(JAVA_OUT)/tmp
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_JAR):$(JUNIT_CP) -d $(JAVA_OUT)/test-classes $(JAVA_TEST_SRC)
	$(JAVA_RUN) -Djava.io.tmpdir=$(CURDIR)/$(JAVA_OUT)/tmp \
	    -cp $(JAVA_JAR):$(JAVA_OUT)/test-classes:$(JUNIT_CP) \
	    org.junit.runner.JUnitCore $(JAVA_TESTS)

# The jar alone, as an application and Maven meet it
# (tests/python/jar_install.py): a program run with only the jar on its
# class path, from a directory of its own, and the jar installed into a
# scratch local Maven repository, offline.  MAVEN_REQUIRED=1 (CI) fails
# the run when Maven or its install plugin is missing; otherwise that
# part is skipped, saying why.
check-jar: java
	POINTS_VERSION=$(VERSION) $(PYTHON) -m unittest discover -s tests/python -t tests/python -p 'jar_*.py' -v

examples-java: java
	rm -rf $(JAVA_OUT)/examples && mkdir -p $(JAVA_OUT)/examples
	$(JAVAC) $(JAVAC_FLAGS) -cp $(JAVA_JAR) -d $(JAVA_OUT)/examples examples/java/LoyaltyService.java
	$(JAVA) -cp $(JAVA_JAR):$(JAVA_OUT)/examples LoyaltyService $(JAVA_OUT)/examples/loyalty.db

clean-java:
	rm -rf $(JAVA_OUT)
