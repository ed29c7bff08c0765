cli_DEPS := milter session dkim sender spf redisquota quota rules mime policy config idna core
cli_LIBS :=
