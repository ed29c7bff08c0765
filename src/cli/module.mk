cli_DEPS := http metrics master milter policyd proc session abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
cli_LIBS :=
