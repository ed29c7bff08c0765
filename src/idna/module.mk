# idna: one canonical spelling of domains (libidn2, UTS #46) and UTF-8 local
# parts (libunistring, NFC).
idna_DEPS := core
idna_LIBS := -lidn2 -lunistring
