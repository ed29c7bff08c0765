rules_DEPS := mime policy core
# Hyperscan is x86-64 only (Debian ships libhyperscan-dev for amd64): where
# it is missing, every rule group runs on the RE2 prefilter.
HAVE_HYPERSCAN := $(shell test -f /usr/include/hs/hs.h && echo yes)
rules_LIBS := -lre2 $(if $(HAVE_HYPERSCAN),-lhs)
ifeq ($(HAVE_HYPERSCAN),yes)
%/src/rules/hyperscan_prefilter.o: CXXFLAGS += -DSENDGUARD_HAVE_HYPERSCAN
endif
