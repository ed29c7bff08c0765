cli_DEPS := milter session quota policy config core
cli_LIBS :=
