# notify: alerts that are never lost — a persistent webhook outbox delivered
# over HTTP(S) (libcurl; only src/notify/http_post.cc includes it) with an
# HMAC-SHA256 signature (libcrypto), and an abuse-desk mail through the local
# sendmail(1).
notify_DEPS := core
notify_LIBS := -lcurl -lcrypto -lpthread
