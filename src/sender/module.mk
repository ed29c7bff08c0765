sender_DEPS := core
sender_LIBS :=
