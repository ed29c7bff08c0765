cli_DEPS := http metrics master milter proc session abuse notify dkim sender spf redisquota quota rules mime policy config idna core
cli_LIBS :=
