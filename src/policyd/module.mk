policyd_DEPS := session abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
policyd_LIBS := -lpthread
