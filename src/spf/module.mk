spf_DEPS := metrics idna core
spf_LIBS := -lspf2
