dkim_DEPS := dns idna core
dkim_LIBS := -lopendkim -lcrypto
