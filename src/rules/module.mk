rules_DEPS := mime core
rules_LIBS := -lre2 -lhs
