redisquota_DEPS := metrics quota idna core
redisquota_LIBS := -lhiredis
