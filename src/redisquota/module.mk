redisquota_DEPS := quota core
redisquota_LIBS := -lhiredis
