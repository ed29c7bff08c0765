# tests/bench/bench.mk — the milter load generator, the protocol tests and
# the micro-benchmarks, included by the top-level Makefile. The generator and
# the protocol tests link only core/ (Status) and the client; no libmilter
# (that is the server library).
#
#   make bench-tools  -> all below
#   make $(BUILD)/miltergen           (the load generator)
#   make $(BUILD)/protocol_test       (tests/protocol scenarios, needs a filter)
#   make $(BUILD)/milter_client_test  (the client against a scripted filter)
#   make bench-micro  -> $(BUILD)/bench/{quota,rules,dkim,redis}_bench, the
#                        module authors' tests/unit/<m>/bench/<x>_bench.cc
#                        linked with the objects of module <m> and its deps;
#                        (tests/bench/run.sh runs them with their arguments)
#
# Headers of this folder are included as "bench/...", hence -Itests.

BENCH_CLIENT_SRCS := tests/bench/milter_client.cc tests/bench/mta_session.cc
BENCH_CLIENT_OBJS := $(patsubst %.cc,$(BUILD)/%.o,$(BENCH_CLIENT_SRCS))
BENCH_CORE_OBJS   := $(call objs_for,core)

$(BUILD)/tests/bench/%.o $(BUILD)/tests/protocol/%.o: CXXFLAGS += -Itests

$(BUILD)/miltergen: $(BUILD)/tests/bench/miltergen.o $(BENCH_CLIENT_OBJS) $(BENCH_CORE_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

$(BUILD)/protocol_test: $(patsubst %.cc,$(BUILD)/%.o,$(wildcard tests/protocol/*.cc)) \
                        $(BENCH_CLIENT_OBJS) $(BENCH_CORE_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

# Tests of the client itself against a scripted filter (no daemon needed).
$(BUILD)/milter_client_test: $(BUILD)/tests/bench/milter_client_test.o $(BENCH_CLIENT_OBJS) $(BENCH_CORE_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

.PHONY: bench-tools
bench-tools: $(BUILD)/miltergen $(BUILD)/protocol_test $(BUILD)/milter_client_test

# --- micro-benchmarks: $(BUILD)/bench/NAME from tests/unit/MODULE/bench/NAME.cc
# MICRO_template MODULE NAME
define MICRO_template
$(BUILD)/bench/$(2): $(BUILD)/tests/unit/$(1)/bench/$(2).o $(call objs_for,$(1))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) -o $$@ $$^ $(call libs_for,$(1)) -pthread
endef
BENCH_MICRO := quota:quota_bench rules:rules_bench dkim:dkim_bench redisquota:redis_bench
$(foreach p,$(BENCH_MICRO),$(eval $(call MICRO_template,$(word 1,$(subst :, ,$(p))),$(word 2,$(subst :, ,$(p))))))
BENCH_MICRO_BINS := $(foreach p,$(BENCH_MICRO),$(BUILD)/bench/$(word 2,$(subst :, ,$(p))))

# redis_bench starts its own redis-server through the unit tests' helper.
$(BUILD)/tests/unit/redisquota/bench/%.o: CXXFLAGS += -Itests/unit/redisquota

.PHONY: bench-micro
bench-micro: $(BENCH_MICRO_BINS)
bench-tools: bench-micro
