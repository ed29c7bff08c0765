# dns: the static DNS data file and TXT lookups (the libc stub resolver,
# libresolv, is used by system_txt_resolver.cc alone).
dns_DEPS := core
dns_LIBS := -lresolv
