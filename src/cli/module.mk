cli_DEPS := milter session config core
cli_LIBS :=
