sender_DEPS := mime core
sender_LIBS :=
