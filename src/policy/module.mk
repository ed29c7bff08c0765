policy_DEPS := core
policy_LIBS :=
