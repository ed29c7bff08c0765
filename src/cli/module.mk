cli_DEPS := milter session policy config core
cli_LIBS :=
