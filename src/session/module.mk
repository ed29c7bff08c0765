session_DEPS := abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
session_LIBS :=
