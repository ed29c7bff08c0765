session_DEPS := metrics abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
session_LIBS :=
