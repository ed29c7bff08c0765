# http: the metrics endpoint and the admin console, served by libmicrohttpd
# (only src/http/mhd_server.cc includes it) with its own bounded thread pool,
# in a child of the parent that runs as daemon.user. Console passwords are
# argon2id hashes (libargon2; only src/http/password.cc includes it).
http_DEPS := metrics session abuse notify dkim sender spf dns redisquota quota rules mime policy config idna core
http_LIBS := -lmicrohttpd -largon2 -lcrypto
