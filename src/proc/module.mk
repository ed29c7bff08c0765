proc_DEPS := core
proc_LIBS :=
