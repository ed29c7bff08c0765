cli_DEPS := milter session dkim sender spf redisquota quota rules mime policy config core
cli_LIBS :=
