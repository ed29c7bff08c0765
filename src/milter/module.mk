milter_DEPS := session dkim sender spf redisquota quota rules mime policy config core
milter_LIBS := -lmilter -lpthread
