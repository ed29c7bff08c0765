spf_DEPS := metrics dns idna core
spf_LIBS := -lspf2
