milter_DEPS := metrics session abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
milter_LIBS := -lmilter -lpthread
