session_DEPS := dkim sender spf redisquota quota rules mime policy config core
session_LIBS :=
