session_DEPS := policy config core
session_LIBS :=
