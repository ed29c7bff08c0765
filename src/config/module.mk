config_DEPS := dkim sender spf redisquota quota rules mime policy core
config_LIBS :=
