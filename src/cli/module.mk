cli_DEPS := master milter proc session dkim sender spf redisquota quota rules mime policy config idna core
cli_LIBS :=
