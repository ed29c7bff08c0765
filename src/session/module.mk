session_DEPS := quota policy config core
session_LIBS :=
