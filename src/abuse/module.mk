abuse_DEPS := core
abuse_LIBS :=
