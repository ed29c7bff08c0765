# tests/loadgen/loadgen.mk — miltergen, the milter load generator (built on
# the milter client library), and the micro-benchmarks; what `make bench`
# (tests/loadgen/run.sh) runs. Included by the top-level Makefile.
#
#   make bench-tools  -> all below
#   make $(BUILD)/miltergen           (the load generator)
#   make $(BUILD)/policygen           (the policy service load generator)
#   make bench-micro  -> $(BUILD)/bench/{quota,rules,dkim,redis}_bench and
#                        $(BUILD)/bench/abuse_sim (the compromised-account
#                        simulation), the
#                        module authors' tests/unit/<m>/bench/<x>_bench.cc
#                        linked with the objects of module <m> and its deps
#                        (tests/loadgen/run.sh runs them with their arguments)
#
# loadgen_DEPS is checked by make check-layering.

loadgen_DEPS := milterclient core

$(BUILD)/tests/loadgen/%.o: CXXFLAGS += -Itests

$(BUILD)/miltergen: $(BUILD)/tests/loadgen/miltergen.o $(MILTERCLIENT_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

# policygen: load generator for Postfix policy services (std + sockets only).
$(BUILD)/policygen: $(BUILD)/tests/loadgen/policygen.o
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

.PHONY: bench-tools
bench-tools: $(BUILD)/miltergen $(BUILD)/policygen

# --- micro-benchmarks: $(BUILD)/bench/NAME from tests/unit/MODULE/bench/NAME.cc
# MICRO_template MODULE NAME
define MICRO_template
$(BUILD)/bench/$(2): $(BUILD)/tests/unit/$(1)/bench/$(2).o $(call objs_for,$(1))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) -o $$@ $$^ $$(call libs_for,$(1)) -pthread
endef
BENCH_MICRO := quota:quota_bench rules:rules_bench dkim:dkim_bench redisquota:redis_bench abuse:abuse_sim
$(foreach p,$(BENCH_MICRO),$(eval $(call MICRO_template,$(word 1,$(subst :, ,$(p))),$(word 2,$(subst :, ,$(p))))))
BENCH_MICRO_BINS := $(foreach p,$(BENCH_MICRO),$(BUILD)/bench/$(word 2,$(subst :, ,$(p))))

# abuse_sim: the simulation's core (tests/unit/abuse/sim.cc) is shared with
# the abuse unit tests.
$(BUILD)/bench/abuse_sim: $(BUILD)/tests/unit/abuse/sim.o

# redis_bench starts its own redis-server through the unit tests' helper.
$(BUILD)/tests/unit/redisquota/bench/%.o: CXXFLAGS += -Itests/unit/redisquota

.PHONY: bench-micro
bench-micro: $(BENCH_MICRO_BINS)
bench-tools: bench-micro
