sender_DEPS := mime idna core
sender_LIBS :=
