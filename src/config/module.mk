config_DEPS := metrics dkim sender spf redisquota quota rules mime policy idna core
config_LIBS :=
