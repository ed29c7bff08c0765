config_DEPS := dkim sender spf redisquota quota rules mime core
config_LIBS :=
