config_DEPS := core
config_LIBS :=
