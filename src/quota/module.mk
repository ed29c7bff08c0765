quota_DEPS := core
quota_LIBS := -llmdb
