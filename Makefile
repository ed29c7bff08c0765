# sendguard — plain Makefile (no CMake), in the spirit of RE2's.
#
#   make build-deps  install the Debian packages that build and run sendguard
#   make deps        those plus what the tests, demo and benchmarks need
#   make             build obj/sendguard (first installs the missing build packages)
#   make test        deps + build + layering check + unit tests + ASan/UBSan unit
#                    tests + protocol, shared-Redis and e2e tests + short fuzz runs
#   make check-layering  every cross-module #include allowed by <m>_DEPS, and
#                    <m>_DEPS transitively closed (tests/check_layering.py)
#   make test-asan   unit tests built with -fsanitize=address,undefined
#   make run         run the daemon in the foreground with the shipped config
#   make demo        private Postfix + sendguard + sink, with sample messages
#   make agreement   sendguard's rule hits against SpamAssassin 4 itself on real
#                    mail (tests/agreement/; also a phase of make test)
#   make man         the man pages into obj/man/ (sendguard.conf(5) generated
#                    from the config key table through `sendguard help config`)
#   make install     binary, man pages, configuration under PREFIX (default
#                    /usr/local; DESTDIR for staging, SYSCONFDIR for /etc)
#   make deb         the Debian package obj/deb/sendguard_VERSION_ARCH.deb
#   make test-package  man page lint, the package built and lintian-checked,
#                    installed, run and purged (part of make test)
#   make bench       throughput / latency benchmarks (tests/loadgen/run.sh, with
#                    rule scanning side by side with SpamAssassin), results in
#                    bench/results/latest.md, the agreement report in
#                    bench/results/agreement.md; the policy service against
#                    postfwd and policyd-rate-limit (tests/loadgen/policy_bench.sh),
#                    bench/results/policy.md; crash isolation through
#                    Postfix (tests/e2e/crash_bench.py), bench/results/crash.json
#
# Modules live in src/<module>/; each has a module.mk naming the modules it
# uses (<m>_DEPS, transitively closed: make check-layering checks it and
# every cross-module #include against it) and the libraries it links
# (<m>_LIBS). Unit tests for module <m> live in tests/unit/<m>/*_test.cc and
# build into one binary, $(BUILD)/tests/<m>_test.

BUILD    ?= obj
CXX      ?= g++
OPT      ?= -O2
SAN      ?=
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
# Debian's hardening flags (what dpkg-buildflags gives a package; PIE is gcc's
# default there); the sanitizer and fuzz builds turn them off (HARDEN=).
HARDEN   ?= -fstack-protector-strong -D_FORTIFY_SOURCE=2
HARDEN_LD ?= $(if $(HARDEN),-Wl$(comma)-z$(comma)relro -Wl$(comma)-z$(comma)now)
comma    := ,
CXXFLAGS := -std=c++17 $(OPT) -g -Wall -Wextra -Isrc -MMD -MP $(HARDEN) $(SAN) $(EXTRA_CXXFLAGS)
LDFLAGS  := $(HARDEN_LD) $(SAN) $(EXTRA_LDFLAGS)
ASAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

MODULES := $(patsubst src/%/module.mk,%,$(wildcard src/*/module.mk))
include $(wildcard src/*/module.mk)

mod_srcs    = $(wildcard src/$(1)/*.cc)
mod_objs    = $(patsubst %.cc,$(BUILD)/%.o,$(call mod_srcs,$(1)))
mod_closure = $(1) $($(1)_DEPS)
objs_for    = $(foreach m,$(call mod_closure,$(1)),$(call mod_objs,$(m)))
libs_for    = $(foreach m,$(call mod_closure,$(1)),$($(m)_LIBS))

TEST_MODULES := $(patsubst tests/unit/%/,%,$(sort $(dir $(wildcard tests/unit/*/*_test.cc))))
TEST_BINS    := $(foreach m,$(TEST_MODULES),$(BUILD)/tests/$(m)_test)

.PHONY: FORCE all build-deps deps test check-layering test-unit test-asan test-e2e test-protocol test-redis test-fuzz unit-tests fuzz-bins sanitizer-builds \
        run demo bench fuzz clean agreement test-agreement man install deb deb-deps test-package
.DEFAULT_GOAL := all

all: $(BUILD)/sendguard

$(BUILD)/sendguard: $(call objs_for,cli)
	$(CXX) $(LDFLAGS) -o $@ $^ $(call libs_for,cli)

# Every compile comes after build-deps (order-only: it never forces a
# rebuild): a fresh checkout builds with a plain `make`, which installs only
# the build and runtime packages, never the test beds' (`make deps`).
# The compile and link flags, kept in a file that changes only when they
# do: a change of OPT, HARDEN or SAN rebuilds every object of that BUILD.
# (Expanded here, once: target-specific additions such as the unit tests'
# -DBOOST_TEST_DYN_LINK do not reach it.)
FLAGS_STAMP := $(BUILD)/compile-flags
FLAGS_TEXT  := $(CXX) $(CXXFLAGS) $(LDFLAGS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAGS_TEXT)' | cmp -s - $@ || echo '$(FLAGS_TEXT)' > $@
FORCE:

$(BUILD)/%.o: %.cc $(FLAGS_STAMP) | build-deps
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

# Unit tests: Boost.Test, dynamically linked, one shared main.
$(BUILD)/tests/%.o: CXXFLAGS += -DBOOST_TEST_DYN_LINK
$(BUILD)/tests/unit/%.o: CXXFLAGS += -DBOOST_TEST_DYN_LINK

define TEST_template
$(BUILD)/tests/$(1)_test: $(patsubst %.cc,$(BUILD)/%.o,$(wildcard tests/unit/$(1)/*.cc)) $(BUILD)/tests/unit/test_main.o $(call objs_for,$(1))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) -o $$@ $$^ $$(call libs_for,$(1)) -lboost_unit_test_framework
endef
$(foreach m,$(TEST_MODULES),$(eval $(call TEST_template,$(m))))

unit-tests: $(TEST_BINS)

# Fuzz targets: tests/fuzz/<module>/<name>_fuzz.cc, linked with the module's
# objects, built with clang's libFuzzer into $(BUILD)/fuzz/<name>_fuzz.
FUZZ_SRCS := $(wildcard tests/fuzz/*/*_fuzz.cc)
FUZZ_BINS := $(patsubst tests/fuzz/%.cc,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
define FUZZ_template
$(BUILD)/fuzz/$(1)/$(2): $(BUILD)/tests/fuzz/$(1)/$(2).o $(call objs_for,$(1))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(call libs_for,$(1))
endef
$(foreach f,$(FUZZ_SRCS),$(eval $(call FUZZ_template,$(word 3,$(subst /, ,$(f))),$(basename $(notdir $(f))))))
fuzz-bins: $(FUZZ_BINS)

# Test programs outside the modules: the milter client library and its test,
# the protocol tests, the load generator and micro-benchmarks.
include tests/milterclient/milterclient.mk tests/protocol/protocol.mk tests/loadgen/loadgen.mk

RESULTS := $(BUILD)/results
VERSION := $(shell sed -n 's/.*kSendguardVersion = "\(.*\)";/\1/p' src/core/version.h)

# Man pages: the hand-written ones with @VERSION@ filled in; sendguard.conf(5)
# from the key table, so that it cannot drift from what the daemon reads.
MAN_PAGES := $(addprefix $(BUILD)/man/,sendguard.8 sendguard.conf.5 sendguard-rules.5 sendguard-policies.5)
man: $(MAN_PAGES)

$(BUILD)/man/sendguard.conf.5: contrib/man/sendguard.conf.5.in contrib/man/conf-man.sh $(BUILD)/sendguard
	@mkdir -p $(dir $@)
	contrib/man/conf-man.sh $(BUILD)/sendguard $< | sed 's/@VERSION@/$(VERSION)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/man/%: contrib/man/%
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/' $< > $@

# Install: PREFIX (default /usr/local), DESTDIR for staging, SYSCONFDIR
# (/etc when PREFIX is /usr, else PREFIX/etc). The configuration is
# contrib/sendguard-installed.conf; existing configuration files are kept.
PREFIX     ?= /usr/local
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/systemd/system
SBINDIR    := $(PREFIX)/sbin
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/sendguard
CONFDIR    := $(SYSCONFDIR)/sendguard
POLICY_FILES := quota.conf actions.conf senders.conf abuse.conf keys.conf signing.conf
DOC_EXAMPLES := policies/quota-example-isp.conf policies/dns-static.zone.example \
                contrib/postfix/main.cf.snippet contrib/postfix/master.cf.snippet contrib/sendmail/sendguard.mc

install: all man
	install -D -m 0755 $(BUILD)/sendguard $(DESTDIR)$(SBINDIR)/sendguard
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -d -m 0755 $(DESTDIR)$(CONFDIR)/policies $(DESTDIR)$(CONFDIR)/rules
	$(if $(DEB_BUILD),,install -d -m 0700 $(DESTDIR)$(CONFDIR)/keys)
	contrib/scripts/install-config.sh contrib/sendguard-installed.conf $(DESTDIR)$(CONFDIR)/sendguard.conf
	for f in $(POLICY_FILES); do contrib/scripts/install-config.sh policies/$$f $(DESTDIR)$(CONFDIR)/policies/$$f; done
	for f in rules/*.cf; do contrib/scripts/install-config.sh $$f $(DESTDIR)$(CONFDIR)/$$f; done
	install -m 0644 $(DOC_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/sendguard|$(SBINDIR)/sendguard|g; s|/etc/sendguard/|$(CONFDIR)/|g' \
	  contrib/systemd/sendguard.service > $(DESTDIR)$(UNITDIR)/sendguard.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sendguard.service

# The Debian package, from this tree's build: contrib/debian/ becomes the
# debian/ directory of a staging copy under $(BUILD)/deb (the top level of the
# tree stays as it is); the .deb lands in $(BUILD)/deb/.
DEB_STAGE := $(BUILD)/deb/sendguard-$(VERSION)
deb: all man deb-deps
	@rm -rf $(BUILD)/deb && mkdir -p $(DEB_STAGE)
	@cp -r contrib/debian $(DEB_STAGE)/debian
	cd $(DEB_STAGE) && SENDGUARD_TREE=$(CURDIR) dpkg-buildpackage -b -us -uc --no-sign -j1 >../build.log 2>&1 \
	  || { tail -30 ../build.log; exit 1; }
	@ls $(BUILD)/deb/*.deb

deb-deps:
	@contrib/scripts/install-deps.sh contrib/debian-deb-packages.txt

build-deps:
	@contrib/scripts/install-deps.sh contrib/debian-build-packages.txt

deps:
	@contrib/scripts/install-deps.sh contrib/debian-build-packages.txt contrib/debian-deb-packages.txt contrib/debian-packages.txt

# The sanitizer and fuzz builds are only compiling: make test runs them at the
# lowest CPU priority while the phases that mostly wait on daemons (Postfix,
# Redis, the package) run, and runs their tests once both builds are done.
ASAN_MAKE = $(MAKE) --no-print-directory -j$(JOBS) BUILD=obj/asan OPT=-O1 HARDEN= SAN="$(ASAN)"
FUZZ_MAKE = $(MAKE) --no-print-directory -j$(JOBS) BUILD=obj/fuzz CXX=clang++ OPT=-O1 HARDEN= SAN="$(FUZZ_FLAGS)"
sanitizer-builds:
	@$(ASAN_MAKE) unit-tests
	@$(FUZZ_MAKE) fuzz-bins

test: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory -j$(JOBS) all unit-tests
	@echo "sanitizer builds: in the background at nice 19, log in $(RESULTS)/sanitizer-builds.log"
	@( nice -n 19 $(MAKE) --no-print-directory sanitizer-builds >$(RESULTS)/sanitizer-builds.log 2>&1 & \
	   $(MAKE) --no-print-directory check-layering test-unit test-agreement test-protocol test-redis test-e2e \
	     test-package KEEP_GOING=1; rc=$$?; wait; exit $$rc )
	@$(MAKE) --no-print-directory test-asan test-fuzz KEEP_GOING=1
	@tests/summarize.sh $(RESULTS) layering unit asan agreement protocol redis e2e package fuzz

check-layering:
	@mkdir -p $(RESULTS)
	@tests/check_layering.py --tally $(RESULTS)/layering.tally || [ -n "$(KEEP_GOING)" ]

test-unit: unit-tests
	@mkdir -p $(RESULTS)
	@tests/run_unit.sh $(RESULTS)/unit.tally $(TEST_BINS) || [ -n "$(KEEP_GOING)" ]

test-asan:
	@$(ASAN_MAKE) unit-tests
	@mkdir -p $(RESULTS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  tests/run_unit.sh $(RESULTS)/asan.tally $(patsubst $(BUILD)/%,obj/asan/%,$(TEST_BINS)) || [ -n "$(KEEP_GOING)" ]

# Agreement with SpamAssassin itself (tests/agreement/): fails below the
# floors recorded in tests/agreement/floor or on a disagreeing rule missing
# from tests/agreement/known-differences.txt; report in $(RESULTS)/agreement/.
AGREEMENT_GATE = --min-precision $(word 1,$(shell cat tests/agreement/floor)) \
  --min-recall $(word 2,$(shell cat tests/agreement/floor)) --known tests/agreement/known-differences.txt
test-agreement: all
	@mkdir -p $(RESULTS)
	@tests/agreement/run_tally.sh $(RESULTS)/agreement.tally $(BUILD)/sendguard $(RESULTS)/agreement \
	  $(AGREEMENT_GATE) || [ -n "$(KEEP_GOING)" ]

agreement: all
	@tests/agreement/run.sh $(BUILD)/sendguard $(RESULTS)/agreement $(AGREEMENT_GATE); \
	  rc=$$?; echo "report: $(RESULTS)/agreement/report.md"; exit $$rc

# Sendmail for the e2e tests: Debian's sendmail-bin unpacked, never installed
# (it would remove postfix); a failed download makes those tests skip.
SENDMAIL_ROOT := $(BUILD)/sendmail/root
test-e2e: all
	@mkdir -p $(RESULTS)
	@contrib/scripts/unpack-sendmail.sh $(BUILD)/sendmail || true
	@SG_SENDMAIL_ROOT=$(CURDIR)/$(SENDMAIL_ROOT) tests/e2e/run.sh $(RESULTS)/e2e.tally $(BUILD)/sendguard || [ -n "$(KEEP_GOING)" ]

test-protocol: all $(BUILD)/protocol_test $(BUILD)/milter_client_test bench-tools
	@mkdir -p $(RESULTS)
	@tests/protocol/run.sh $(RESULTS)/protocol.tally $(BUILD)/sendguard $(BUILD)/miltergen || [ -n "$(KEEP_GOING)" ]

test-redis: all $(BUILD)/miltergen
	@mkdir -p $(RESULTS)
	@tests/redis/run.sh $(RESULTS)/redis.tally $(BUILD)/sendguard $(BUILD)/miltergen || [ -n "$(KEEP_GOING)" ]

test-package: deb
	@mkdir -p $(RESULTS)
	@tests/package/run.sh $(RESULTS)/package.tally $(BUILD)/sendguard $(BUILD)/man \
	  $(BUILD)/deb/sendguard_$(VERSION)_$(shell dpkg --print-architecture).deb || [ -n "$(KEEP_GOING)" ]

FUZZ_SECONDS ?= 20
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
test-fuzz:
	@$(FUZZ_MAKE) fuzz-bins
	@mkdir -p $(RESULTS)
	@tests/run_fuzz.sh $(RESULTS)/fuzz.tally $(FUZZ_SECONDS) $(patsubst $(BUILD)/%,obj/fuzz/%,$(FUZZ_BINS)) || [ -n "$(KEEP_GOING)" ]

fuzz:
	@$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-300}

# CRASH_BASELINE_BIN=path/to/older/sendguard adds that binary to the crash run.
bench: deps all bench-tools
	@tests/loadgen/run.sh $(BUILD)/sendguard $(BUILD)/miltergen
	@tests/loadgen/policy_bench.sh $(BUILD)/sendguard $(BUILD)/policygen
	@mkdir -p bench/results
	@tests/agreement/run.sh $(BUILD)/sendguard $(RESULTS)/agreement-bench $(AGREEMENT_GATE) && \
	  cp $(RESULTS)/agreement-bench/report.md bench/results/agreement.md
	@tests/e2e/crash_bench.py bench/results/crash.json sendguard=$(BUILD)/sendguard \
	  $(if $(CRASH_BASELINE_BIN),baseline=$(CRASH_BASELINE_BIN))

run: build-deps all
	@contrib/scripts/dev-run.sh $(BUILD)/sendguard

demo: deps all
	@tests/e2e/demo.sh $(BUILD)/sendguard

clean:
	rm -rf obj

-include $(shell find $(BUILD) \( -path $(BUILD)/sendmail -o -path $(BUILD)/deb \) -prune -o -name '*.d' -type f -print 2>/dev/null)
