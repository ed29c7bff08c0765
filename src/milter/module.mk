milter_DEPS := session config core
milter_LIBS := -lmilter -lpthread
