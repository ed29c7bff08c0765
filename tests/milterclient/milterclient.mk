# tests/milterclient/milterclient.mk — the milter client library: our own
# implementation of the MTA side of the milter protocol (milter_client.*, one
# MTA session over it in mta_session.*, the message corpus it plays), and its
# tests against a scripted filter. Included by the top-level Makefile. It
# shares no code with the daemon but core/ (Status), and links no libmilter
# (that is the server library): a test of the daemon through it is a test
# against a second implementation. Its users: tests/protocol, tests/redis
# and the load generator (tests/loadgen).
#
#   make $(BUILD)/milter_client_test  (the client against a scripted filter)
#
# Headers of this folder are included as "milterclient/...", hence -Itests.
# milterclient_DEPS is checked like a module's by make check-layering.

milterclient_DEPS := core
MILTERCLIENT_SRCS := tests/milterclient/milter_client.cc tests/milterclient/mta_session.cc
MILTERCLIENT_OBJS := $(patsubst %.cc,$(BUILD)/%.o,$(MILTERCLIENT_SRCS)) \
                     $(foreach m,$(milterclient_DEPS),$(call objs_for,$(m)))

$(BUILD)/tests/milterclient/%.o: CXXFLAGS += -Itests

$(BUILD)/milter_client_test: $(BUILD)/tests/milterclient/milter_client_test.o $(MILTERCLIENT_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread
