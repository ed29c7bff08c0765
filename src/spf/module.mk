spf_DEPS := dns idna core
spf_LIBS := -lspf2
