# tests/bench/bench.mk — the milter load generator and the protocol tests,
# included by the top-level Makefile. Both link only core/ (Status) and the
# client; no libmilter (that is the server library).
#
#   make bench-tools  -> all three below
#   make $(BUILD)/protocol_test       (tests/protocol scenarios, needs a filter)
#   make $(BUILD)/milter_client_test  (the client against a scripted filter)
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
