master_DEPS := http metrics milter proc session abuse notify dkim sender spf redisquota quota rules mime policy config idna core
master_LIBS :=
