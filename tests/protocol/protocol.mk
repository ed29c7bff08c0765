# tests/protocol/protocol.mk — protocol_test, the scenarios tests/protocol/run.sh
# plays against a running daemon through the milter client library.
# Included by the top-level Makefile; protocol_DEPS is checked by
# make check-layering.

protocol_DEPS := milterclient core

$(BUILD)/tests/protocol/%.o: CXXFLAGS += -Itests

$(BUILD)/protocol_test: $(patsubst %.cc,$(BUILD)/%.o,$(wildcard tests/protocol/*.cc)) $(MILTERCLIENT_OBJS)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread
