core_DEPS :=
core_LIBS :=
