rules_DEPS := mime policy core
# Hyperscan is x86-64 only (Debian ships libhyperscan-dev for amd64): where
# it is missing, every rule group runs on the RE2 prefilter. Looked for when
# the link runs, not when make reads this file: the first `make` on a fresh
# machine installs libhyperscan-dev (build-deps) after reading it, and must
# still build with it (hyperscan_prefilter.cc checks with __has_include).
rules_LIBS = -lre2 $(if $(shell test -f /usr/include/hs/hs.h && echo yes),-lhs)
