spf_DEPS := idna core
spf_LIBS := -lspf2
