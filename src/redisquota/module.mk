redisquota_DEPS := quota idna core
redisquota_LIBS := -lhiredis
