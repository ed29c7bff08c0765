quota_DEPS := idna core
quota_LIBS := -llmdb
