master_DEPS := http metrics milter policyd proc session abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
master_LIBS :=
