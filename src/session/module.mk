session_DEPS := dkim sender spf redisquota quota rules mime policy config idna core
session_LIBS :=
