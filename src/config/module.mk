config_DEPS := metrics dkim sender spf dns redisquota quota rules mime policy idna core
config_LIBS :=
