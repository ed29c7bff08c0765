spf_DEPS := core
spf_LIBS := -lspf2
