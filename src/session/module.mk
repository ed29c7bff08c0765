session_DEPS := config core
session_LIBS :=
