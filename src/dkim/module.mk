dkim_DEPS := idna core
dkim_LIBS := -lopendkim -lcrypto
