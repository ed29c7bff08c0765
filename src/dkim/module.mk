dkim_DEPS := core
dkim_LIBS := -lopendkim -lcrypto
